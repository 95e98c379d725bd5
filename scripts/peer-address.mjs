// The TCP peer, told to the app in a header only this server sets (apps/admin
// src/server/http/client-address.ts reads it for per-source failure budgets). Whatever a client
// sent under that name is overwritten: only the serving process may say who the peer is.

export const PEER_ADDRESS_HEADER = 'x-opendescent-peer-address';

/** @param {import('node:http').IncomingMessage} request */
export function setPeerAddress(request) {
  request.headers[PEER_ADDRESS_HEADER] = request.socket.remoteAddress ?? '';
}
