// The two kinds of route handler, thin on purpose (STYLE.md: parse, authorise, delegate):
// the device API (public, JSON, authenticated by device signatures, CORS open because no
// cookie is involved) and the admin API (session cookie; CSRF checks on every state change).
import { adminServices, type AdminServices } from '../services';
import { requireAdmin, type SignedIn } from '../auth/sessions';
import { MAX_DEVICE_REQUEST_BYTES } from '../devices/signed-request';
import { jsonResponse, readJsonBody, respond } from './responses';

/**
 * Devices call the API from the web client's origin. `*` is safe here: the API uses no cookie
 * and no ambient credential (browsers never send credentials with `*`); a request is only as
 * good as its device signature.
 */
export const DEVICE_API_CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '600',
};

export function corsPreflight(): Response {
  return new Response(null, { status: 204, headers: DEVICE_API_CORS });
}

export function deviceApi(
  request: Request,
  work: (s: AdminServices, body: unknown) => Promise<{ status: number; body: Record<string, unknown> }>,
  /** The body limit: MAX_DEVICE_REQUEST_BYTES unless the endpoint's requests are larger. */
  maxBodyBytes: number = MAX_DEVICE_REQUEST_BYTES,
): Promise<Response> {
  return respond(async () => {
    const s = await adminServices();
    const body = await readJsonBody(request, maxBodyBytes);
    const result = await work(s, body);
    return jsonResponse(result.body, { status: result.status });
  }, DEVICE_API_CORS);
}

/** Admin API bodies are small forms. */
const MAX_ADMIN_BODY_BYTES = 16 * 1024;

export function adminMutation(
  request: Request,
  work: (s: AdminServices, admin: SignedIn, body: unknown) => Promise<Response>,
): Promise<Response> {
  return respond(async () => {
    const s = await adminServices();
    const admin = await requireAdmin(s, request, { mutation: true });
    const body =
      request.headers.get('content-length') === '0' || !request.body
        ? {}
        : await readJsonBody(request, MAX_ADMIN_BODY_BYTES);
    return work(s, admin, body);
  });
}

export function adminRead(
  request: Request,
  work: (s: AdminServices, admin: SignedIn) => Promise<Response>,
): Promise<Response> {
  return respond(async () => {
    const s = await adminServices();
    return work(s, await requireAdmin(s, request, { mutation: false }));
  });
}

/** Reads one string field of a JSON object body. */
export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}
