// The TCP peer, told to the app in a header only this server sets (apps/admin
// src/server/http/client-address.ts reads it for per-source failure budgets). Whatever a client
// sent under that name is overwritten: only the serving process may say who the peer is.

export const PEER_ADDRESS_HEADER = 'x-opendescent-peer-address';
/**
 * The names of the headers the request arrived with, comma-separated. Next.js adds
 * `x-forwarded-for`, `-host`, `-port` and `-proto` to every request it routes, so the app cannot
 * tell from the headers it sees whether a client or a proxy sent them (apps/admin
 * src/server/http/metrics-access.ts needs to know). Also overwritten, like the peer address.
 */
export const ORIGINAL_HEADERS_HEADER = 'x-opendescent-original-headers';

/** @param {import('node:http').IncomingMessage} request */
export function setPeerAddress(request) {
  const original = Object.keys(request.headers).filter(
    (name) => name !== PEER_ADDRESS_HEADER && name !== ORIGINAL_HEADERS_HEADER,
  );
  request.headers[ORIGINAL_HEADERS_HEADER] = original.join(',');
  request.headers[PEER_ADDRESS_HEADER] = request.socket.remoteAddress ?? '';
}
