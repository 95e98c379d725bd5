// Next.js 16's proxy (formerly middleware): gives every page response its own CSP nonce
// (src/server/http/content-security-policy.ts). Next.js reads the nonce from the request's policy
// header while rendering and puts it on the scripts it emits; the browser gets the same policy.
// Every page is dynamic (`force-dynamic`), so no page is ever served with a stale nonce.
import { NextResponse, type NextRequest } from 'next/server';
import { newNonce, pagePolicy } from './src/server/http/content-security-policy';

export function proxy(request: NextRequest): NextResponse {
  const policy = pagePolicy(newNonce(), { dev: process.env.NODE_ENV === 'development' });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  // Pages only: the JSON API and the build's static files render no HTML.
  matcher: ['/((?!api/|_next/static/|_next/image|favicon.ico).*)'],
};
