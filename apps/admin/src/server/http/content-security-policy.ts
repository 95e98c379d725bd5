// The admin console's Content-Security-Policy (docs/decisions/0009-admin-csp.md). The App Router
// streams its payload as inline <script> tags, so a policy of `script-src 'self'` alone would
// block the app: each page response gets a fresh nonce instead, which Next.js reads from the
// request's policy header and puts on every script it emits (proxy.ts sets both). No
// 'unsafe-inline', no 'unsafe-eval' in production, and no inline style at all: the console's
// styles are one same-origin stylesheet.

/** 128 random bits, base64: fresh per response, so an injected <script> cannot guess it. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The policy of a page. `dev` (`next dev` only, never in production): React's development build
 * needs eval for its error overlay and the dev server injects <style> tags (Next.js CSP guide).
 */
export function pagePolicy(nonce: string, options: { dev?: boolean } = {}): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts the nonce-bearing bootstrap loads are trusted too; 'self' is the
    // fallback for browsers without CSP 3 (ignored by those that have it).
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self'${options.dev ? " 'unsafe-inline'" : ''}`,
    // The enrolment QR code is the server's SVG shown as a data: image (an image runs no script).
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
