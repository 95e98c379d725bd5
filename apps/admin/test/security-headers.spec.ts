/**
 * The admin app's security headers (docs/decisions/0009-admin-csp.md): a per-response CSP nonce
 * for pages, set by proxy.ts on the response and on the request Next.js renders from; no inline
 * script or style allowed by the policy; HSTS only for an https public URL. The browser side
 * (zero violations on every page, passkeys and buttons still working) is tests/e2e/admin.e2e.ts.
 */
import { NextRequest } from 'next/server';
import { config as proxyConfig, proxy } from '../proxy';
import { loadServerConfig, responseHeaders } from '../server-config.mjs';
import { newNonce, pagePolicy } from '../src/server/http/content-security-policy';

const KEY = 'a'.repeat(64);

/** Directive name → its sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

/** Whether Next.js's matcher (a path-to-regexp source) would run the proxy for this path. */
function proxied(pathname: string): boolean {
  return proxyConfig.matcher.some((source) => new RegExp(`^${source}$`).test(pathname));
}

describe('the page Content-Security-Policy', () => {
  const policy = directives(pagePolicy('bm9uY2U='));

  test('allows scripts only from this origin or with the response nonce, never inline or eval', () => {
    expect(policy.get('script-src')).toEqual(["'self'", "'nonce-bm9uY2U='", "'strict-dynamic'"]);
    expect(pagePolicy('bm9uY2U=')).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*/);
  });

  test('allows no inline style, no plugin, no base change, no framing, and forms and connections to this origin only', () => {
    expect(Object.fromEntries(policy)).toMatchObject({
      'default-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    });
  });

  test("relaxes only under `next dev`, for React's error overlay (eval) and the dev server's <style> tags", () => {
    const dev = directives(pagePolicy('n', { dev: true }));
    expect(dev.get('script-src')).toEqual(["'self'", "'nonce-n'", "'strict-dynamic'", "'unsafe-eval'"]);
    expect(dev.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
  });

  test('nonces are 128 random bits, never repeated', () => {
    const nonces = new Set(Array.from({ length: 1000 }, newNonce));
    expect(nonces.size).toBe(1000);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });
});

describe('proxy.ts', () => {
  test('gives each page response a fresh nonce, in the response header and in the header Next.js renders from', () => {
    const first = proxy(new NextRequest('http://localhost:3001/members'));
    const second = proxy(new NextRequest('http://localhost:3001/members'));
    const policy = first.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic'/);
    expect(second.headers.get('content-security-policy')).not.toBe(policy);
    // NextResponse.next({ request: { headers } }) passes the request's new headers this way.
    expect(first.headers.get('x-middleware-override-headers')).toContain('content-security-policy');
    expect(first.headers.get('x-middleware-request-content-security-policy')).toBe(policy);
  });

  test('a policy sent by the client is replaced, so nobody can choose the nonce Next.js uses', () => {
    const forged = "script-src 'nonce-chosen-by-the-attacker'";
    const response = proxy(
      new NextRequest('http://localhost:3001/audit', { headers: { 'content-security-policy': forged } }),
    );
    expect(response.headers.get('x-middleware-request-content-security-policy')).not.toContain(
      'chosen-by-the-attacker',
    );
  });

  test.each([
    ['/', true],
    ['/sign-in', true],
    ['/members/0190b3c2-7d4e-7a00-8000-000000000000', true],
    ['/audit', true],
    ['/api/v1/enrol', false],
    ['/api/admin/audit-log', false],
    ['/_next/static/chunks/main.js', false],
  ])('runs for pages, not for the JSON API or static files: %s → %p', (pathname, expected) => {
    expect(proxied(pathname)).toBe(expected);
  });
});

describe('responseHeaders (set by scripts/serve-next.mjs on every response)', () => {
  test('sends HSTS for two years, subdomains included, when the public URL is https', () => {
    const config = loadServerConfig({ ADMIN_PUBLIC_URL: 'https://admin.example.org', ADMIN_MASTER_KEY: KEY });
    expect(responseHeaders(config)).toEqual({ 'Strict-Transport-Security': 'max-age=63072000; includeSubDomains' });
  });

  test('sends no HSTS over plain http (localhost), which a browser would otherwise refuse to reach afterwards', () => {
    expect(responseHeaders(loadServerConfig({ ADMIN_MASTER_KEY: KEY }))).toEqual({});
    expect(
      responseHeaders(loadServerConfig({ ADMIN_PUBLIC_URL: 'http://admin.internal:8080', ADMIN_MASTER_KEY: KEY })),
    ).toEqual({});
  });
});
