import { ed25519Sign, ed25519Verify, utf8Encode, type Ed25519PrivateKey } from '@opendescent/crypto';
import { domainSeparated } from './signing-input';

/**
 * Signed device requests to the admin app (docs/protocol/admin-api.md §3): a device signs the
 * JSON payload string exactly as it sends it, so neither side canonicalises JSON; the admin app
 * verifies the bytes it received, then parses them. Shared by the admin app (verifier) and the
 * web client (signer).
 */
export const DEVICE_REQUEST_VERSION = 1;
export const DEVICE_REQUEST_NONCE_LENGTH = 16;
/** Domain separation (as attestations.md §1): a device signature for this API is never valid elsewhere. */
const DEVICE_REQUEST_LABEL = 'OpenDescent admin request v1';

export function deviceRequestSigningInput(payload: string): Uint8Array {
  return domainSeparated(DEVICE_REQUEST_LABEL, utf8Encode(payload));
}

export function signDeviceRequest(payload: string, signingKey: Ed25519PrivateKey): Promise<Uint8Array> {
  return ed25519Sign(signingKey, deviceRequestSigningInput(payload));
}

export function verifyDeviceRequest(payload: string, signature: Uint8Array, signingKey: Uint8Array): Promise<boolean> {
  return ed25519Verify(signingKey, deviceRequestSigningInput(payload), signature);
}
