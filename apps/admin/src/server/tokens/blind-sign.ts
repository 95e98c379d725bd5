// RFC 9474 §4.3 BlindSign for the admin app's Privacy Pass issuer (docs/decisions/0010-token-issuance-rsa.md).
// Blinding, unblinding, the PSS encoding, the token format and its verification are
// @cloudflare/privacypass-ts's (clients and relays); only the RSA private operation, RSASP1, is
// done here, by OpenSSL through node:crypto: about 0.3 ms per token against about 300 ms for the
// library's own big-integer code, as blindrsa-ts itself does when the platform offers raw RSA
// (`supportsRSARAW`). Raw RSA without padding is exactly RSASP1 on the blinded message.
import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { TOKEN_RESPONSE_LENGTH } from '@opendescent/protocol';

export interface IssuerKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** The blinded message is not an integer below the modulus (RFC 9474 §4.3 step 1's range). */
export class BlindedMessageOutOfRange extends Error {
  override readonly name = 'BlindedMessageOutOfRange';
}

/** RFC 9474 §4.3 step 4: RSAVP1(pk, s) is not m, so the signature is not released (a fault). */
export class BlindSigningFault extends Error {
  override readonly name = 'BlindSigningFault';
}

/**
 * blind_sig = RSASP1(sk, m) for m = bytes_to_int(blinded_msg), checked with RSAVP1 before it
 * leaves: a faulty CRT computation would otherwise hand out a value that factors the modulus.
 */
export function blindSign(key: IssuerKeyPair, blindedMessage: Uint8Array): Uint8Array {
  if (blindedMessage.length !== TOKEN_RESPONSE_LENGTH)
    throw new BlindedMessageOutOfRange(`a blinded message is ${TOKEN_RESPONSE_LENGTH} bytes`);
  const message = Buffer.from(blindedMessage.buffer, blindedMessage.byteOffset, blindedMessage.byteLength);
  let signature: Buffer;
  try {
    // OpenSSL refuses m >= n ("data too large for modulus"): the only way this input fails.
    signature = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, message);
  } catch {
    throw new BlindedMessageOutOfRange('the blinded message is not below the issuer key’s modulus');
  }
  if (signature.length !== TOKEN_RESPONSE_LENGTH) throw new BlindSigningFault('the signature has an unexpected length');
  let check: Buffer;
  try {
    check = publicEncrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    // A value at or above the public modulus cannot be a signature under it: a fault as well.
    throw new BlindSigningFault('the blind signature is not below the issuer public key’s modulus');
  }
  if (!check.equals(message)) throw new BlindSigningFault('RSAVP1 of the blind signature is not the blinded message');
  return new Uint8Array(signature);
}
