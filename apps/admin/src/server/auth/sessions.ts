// Admin sessions and CSRF protection (docs/decisions/0006-admin-auth.md, "Sessions" and "CSRF").
// The cookie carries 32 random bytes; the database keeps only their SHA-256, so a database dump
// (A3) holds no usable session. HttpOnly, SameSite=Strict, Path=/, Secure and __Host- on https.
import { constantTimeEqual, hmacSha256, randomBytes, sha256, utf8Encode } from '@opendescent/crypto';
import { decodeBase64Url, encodeBase64Url } from '@opendescent/protocol';
import type { Admin, AdminSession } from '../../generated/prisma/client';
import { ApiError } from '../http/api-error';
import { dbBytes } from '../http/encoding';
import type { AdminServices, Db } from '../services';

/** A signed-in browser lasts at most this long, however active. */
export const SESSION_ABSOLUTE_SECONDS = 12 * 3600;
/** …and ends after this long without a request. */
export const SESSION_IDLE_SECONDS = 3600;
/** lastSeenAt is written at most this often (not on every request). */
const TOUCH_EVERY_SECONDS = 60;
const TOKEN_BYTES = 32;
const CSRF_LABEL = utf8Encode('OpenDescent admin CSRF v1');
export const CSRF_HEADER = 'x-csrf-token';

function isHttps(publicUrl: string): boolean {
  return publicUrl.startsWith('https:');
}

export function sessionCookieName(publicUrl: string): string {
  // __Host- binds the cookie to this exact origin (no Domain, Path=/, Secure); only possible on https.
  return isHttps(publicUrl) ? '__Host-od_admin_session' : 'od_admin_session';
}

function cookieAttributes(publicUrl: string, maxAge: number): string {
  return `Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${isHttps(publicUrl) ? '; Secure' : ''}`;
}

export function tokenHash(token: Uint8Array): Uint8Array<ArrayBuffer> {
  return dbBytes(sha256(token));
}

/** Opens a session for `adminId` inside the caller's transaction; returns the Set-Cookie value. */
export async function createSession(db: Db, s: AdminServices, adminId: string): Promise<string> {
  const token = randomBytes(TOKEN_BYTES);
  const now = s.now();
  await db.adminSession.create({
    data: {
      tokenHash: tokenHash(token),
      adminId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_SECONDS * 1000),
    },
  });
  return `${sessionCookieName(s.config.publicUrl)}=${encodeBase64Url(token)}; ${cookieAttributes(s.config.publicUrl, SESSION_ABSOLUTE_SECONDS)}`;
}

export function clearSessionCookie(publicUrl: string): string {
  return `${sessionCookieName(publicUrl)}=; ${cookieAttributes(publicUrl, 0)}`;
}

export function readCookie(header: string | null, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

export interface SignedIn {
  readonly admin: Admin;
  readonly session: AdminSession;
  /** The cookie's token: for deriving the CSRF token, never stored. */
  readonly token: Uint8Array;
}

/** The session a cookie value names, if it is still valid (absolute and idle limits, admin enabled). */
export async function sessionFromCookieValue(
  s: AdminServices,
  value: string | undefined,
): Promise<SignedIn | undefined> {
  const token = cookieToken(value);
  if (!token) return undefined;
  const session = await s.prisma.adminSession.findUnique({
    where: { tokenHash: tokenHash(token) },
    include: { admin: true },
  });
  const now = s.now();
  if (!session || session.expiresAt <= now || session.admin.disabledAt) return undefined;
  if (now.getTime() - session.lastSeenAt.getTime() > SESSION_IDLE_SECONDS * 1000) return undefined;
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_SECONDS * 1000) {
    await s.prisma.adminSession.update({ where: { id: session.id }, data: { lastSeenAt: now } });
  }
  const { admin, ...rest } = session;
  return { admin, session: rest, token };
}

/**
 * The CSRF token of a session: HMAC-SHA256 keyed by the session token. Pages embed it; state-
 * changing requests send it back in X-CSRF-Token. A cross-site page can neither read the
 * HttpOnly cookie nor the page, so it cannot produce the token.
 */
export function csrfTokenFor(sessionToken: Uint8Array): string {
  return encodeBase64Url(hmacSha256(sessionToken, CSRF_LABEL));
}

/** Refuses a browser request from another origin (the Origin header browsers send on every POST). */
export function requireSameOrigin(s: AdminServices, request: Request): void {
  if (request.headers.get('origin') !== s.config.publicUrl) {
    throw new ApiError(403, 'csrf', 'cross-origin request refused (the Origin header must be this admin app)');
  }
}

/**
 * The admin behind a request. With `mutation`, also the CSRF defences: same Origin and the
 * session's CSRF token (SameSite=Strict already keeps the cookie off cross-site requests; these
 * are the second and third locks).
 */
export async function requireAdmin(
  s: AdminServices,
  request: Request,
  options: { mutation: boolean },
): Promise<SignedIn> {
  const signedIn = await sessionFromCookieValue(
    s,
    readCookie(request.headers.get('cookie'), sessionCookieName(s.config.publicUrl)),
  );
  if (!signedIn) throw new ApiError(401, 'not_signed_in', 'sign in first');
  if (options.mutation) {
    requireSameOrigin(s, request);
    const sent = request.headers.get(CSRF_HEADER) ?? '';
    if (!constantTimeEqual(utf8Encode(sent), utf8Encode(csrfTokenFor(signedIn.token)))) {
      throw new ApiError(403, 'csrf', 'missing or wrong CSRF token');
    }
  }
  return signedIn;
}

export async function endSession(s: AdminServices, signedIn: SignedIn): Promise<void> {
  await s.prisma.adminSession.deleteMany({ where: { id: signedIn.session.id } });
}

export function actorOf(signedIn: SignedIn): `admin:${string}` {
  return `admin:${signedIn.admin.id}`;
}

/** The token a cookie value carries, or undefined for a value that is not one (absent, altered, another length). */
function cookieToken(value: string | undefined): Uint8Array | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeBase64Url(value, TOKEN_BYTES);
  } catch {
    return undefined;
  }
}
