// A signed-in administrator for admin API tests, made directly in the database (the passkey
// ceremonies themselves are tested in passkeys.spec.ts with a software authenticator).
import { csrfTokenFor, createSession } from '../../src/server/auth/sessions';
import type { AdminServices } from '../../src/server/services';
import { PUBLIC_URL } from './test-services';

export interface TestAdmin {
  readonly id: string;
  readonly cookie: string;
  readonly csrf: string;
  /** Headers of a same-origin, CSRF-protected browser request. */
  readonly headers: Record<string, string>;
}

export async function signedInAdmin(s: AdminServices, displayName = 'Test Admin'): Promise<TestAdmin> {
  const admin = await s.prisma.admin.create({ data: { displayName } });
  return sessionFor(s, admin.id);
}

/** A new session for an existing admin (tests that move the clock past a session's life). */
export async function sessionFor(s: AdminServices, adminId: string): Promise<TestAdmin> {
  const admin = { id: adminId };
  const setCookie = await createSession(s.prisma, s, admin.id);
  const cookie = setCookie.split(';')[0] as string;
  const token = new Uint8Array(Buffer.from(cookie.split('=')[1] as string, 'base64url'));
  const csrf = csrfTokenFor(token);
  return { id: admin.id, cookie, csrf, headers: { cookie, origin: PUBLIC_URL, 'x-csrf-token': csrf } };
}
