// The only public surface of @opendescent/protocol: every wire format, its codec and its
// validation. No I/O; runs unchanged in the browser and in Node.
export { ProtocolError, type ProtocolErrorCode } from './errors';
export { RELAY_PROTOCOL_VERSION, parseRelayHealth, relayHealth, type RelayHealth } from './health';
