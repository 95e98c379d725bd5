/**
 * Hex for record ids and the UI, base64url for payload fields: @opendescent/protocol's one
 * encoding module (canonical forms only; decoders throw ProtocolError('malformed')), under the
 * names the messenger uses.
 */
export {
  decodeHex as fromHex,
  encodeHex as toHex,
  decodeBase64Url as fromB64,
  encodeBase64Url as toB64,
} from '@opendescent/protocol';
