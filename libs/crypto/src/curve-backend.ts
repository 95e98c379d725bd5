/**
 * Which implementation runs X25519 and Ed25519: Web Crypto where the runtime has it (native, about
 * 6x faster than pure JavaScript here) and @noble/curves otherwise. Both sit behind the same
 * functions and pass the same vectors (test/wycheproof.spec.ts runs every case on each).
 *
 * Detection runs once per family and is cached. It is a known-answer self-test, not a mere
 * feature probe: the runtime must reproduce RFC 7748 §6.1 / RFC 8032 §7.1 TEST 1, and for Ed25519
 * it must reject a signature that only a cofactored verifier accepts (ed25519.ts explains the
 * strict rule). A runtime that differs in any way gets the noble backend.
 */
import { hexToBytes } from '@noble/curves/utils.js';
import { constantTimeEqual } from './bytes';
import { CryptoError } from './errors';
import { bufferSource, generateKeyPair, importPrivateKey, importPublicKey, subtleCrypto } from './webcrypto';

export type CurveBackendName = 'webcrypto' | 'noble';
export type CurveBackendChoice = CurveBackendName | 'auto';
export type CurveFamily = 'x25519' | 'ed25519';

let choice: CurveBackendChoice = 'auto';
const supported: Record<CurveFamily, boolean | undefined> = { x25519: undefined, ed25519: undefined };
const pending: Partial<Record<CurveFamily, Promise<boolean>>> = {};

/**
 * 'auto' (the default) uses Web Crypto where the self-test passes. 'noble' or 'webcrypto' force a
 * backend, for tests and benchmarks; forcing 'webcrypto' where it is missing makes every curve
 * operation fail with CryptoError('backend_unavailable').
 */
export function setCurveBackend(next: CurveBackendChoice): void {
  if (next !== 'auto' && next !== 'webcrypto' && next !== 'noble') {
    throw new TypeError(`setCurveBackend: unknown backend ${String(next)}`);
  }
  choice = next;
}

export async function curveBackend(family: CurveFamily): Promise<CurveBackendName> {
  if (choice === 'noble') return 'noble';
  const hasWebCrypto = supported[family] ?? (await detect(family));
  if (hasWebCrypto) return 'webcrypto';
  if (choice === 'webcrypto') {
    throw new CryptoError('backend_unavailable', `this runtime's Web Crypto has no working ${family}`);
  }
  return 'noble';
}

/** The backend each family uses now, e.g. for a benchmark report. */
export async function activeCurveBackends(): Promise<Record<CurveFamily, CurveBackendName>> {
  return { x25519: await curveBackend('x25519'), ed25519: await curveBackend('ed25519') };
}

/** @internal Forget detection results, so a test can re-run detection against a mocked runtime. */
export function resetCurveBackendDetection(): void {
  supported.x25519 = undefined;
  supported.ed25519 = undefined;
  delete pending.x25519;
  delete pending.ed25519;
}

function detect(family: CurveFamily): Promise<boolean> {
  let detection = pending[family];
  if (detection === undefined) {
    detection = (family === 'x25519' ? selfTestX25519() : selfTestEd25519()).then(
      (ok) => ok,
      () => false,
    );
    pending[family] = detection;
    void detection.then((ok) => {
      if (pending[family] === detection) supported[family] = ok;
    });
  }
  return detection;
}

/** RFC 7748 §6.1: Alice's key pair and the shared secret with Bob. */
const RFC7748_ALICE_PRIVATE = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
const RFC7748_ALICE_PUBLIC = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
const RFC7748_BOB_PUBLIC = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
const RFC7748_SHARED = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

async function selfTestX25519(): Promise<boolean> {
  const alice = await importPrivateKey('X25519', hexToBytes(RFC7748_ALICE_PRIVATE));
  const bob = await importPublicKey('X25519', hexToBytes(RFC7748_BOB_PUBLIC));
  const shared = new Uint8Array(await subtleCrypto().deriveBits({ name: 'X25519', public: bob }, alice.key, 256));
  const fresh = await generateKeyPair('X25519');
  return (
    constantTimeEqual(alice.publicKey, hexToBytes(RFC7748_ALICE_PUBLIC)) &&
    constantTimeEqual(shared, hexToBytes(RFC7748_SHARED)) &&
    fresh.publicKey.length === 32
  );
}

/** RFC 8032 §7.1 TEST 1 (empty message). */
const RFC8032_TEST1_SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_TEST1_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC8032_TEST1_SIGNATURE =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
/**
 * A signature by the TEST 1 key over this message whose R is r·B plus a point of order 8, with
 * S = r + k·a. It satisfies the cofactored equation [8][S]B = [8]R + [8][k]A but not the
 * cofactorless [S]B = R + [k]A, so a verifier that accepts it does not follow our rule.
 * (Regenerated and checked by test/ed25519.spec.ts.)
 */
export const COFACTORED_ONLY_MESSAGE =
  '4f70656e44657363656e74204564323535313920636f666163746f726c6573732073656c662d74657374';
export const COFACTORED_ONLY_SIGNATURE =
  'c2ecc2af9bfefd06ee0f9cbb9adf4abda71f6a01db3f1a78458754856f6bd5c45eee2603398a646661a9eccbc8cc1b4ea17cb3713d640e5eb09952d7d70dea0f';

async function selfTestEd25519(): Promise<boolean> {
  const subtle = subtleCrypto();
  const signer = await importPrivateKey('Ed25519', hexToBytes(RFC8032_TEST1_SECRET));
  const signature = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, signer.key, new Uint8Array(0)));
  const verifier = await importPublicKey('Ed25519', hexToBytes(RFC8032_TEST1_PUBLIC));
  const acceptsValid = await subtle.verify({ name: 'Ed25519' }, verifier, signature, new Uint8Array(0));
  const acceptsCofactoredOnly = await subtle.verify(
    { name: 'Ed25519' },
    verifier,
    bufferSource(hexToBytes(COFACTORED_ONLY_SIGNATURE)),
    bufferSource(hexToBytes(COFACTORED_ONLY_MESSAGE)),
  );
  const fresh = await generateKeyPair('Ed25519');
  return (
    constantTimeEqual(signer.publicKey, hexToBytes(RFC8032_TEST1_PUBLIC)) &&
    constantTimeEqual(signature, hexToBytes(RFC8032_TEST1_SIGNATURE)) &&
    acceptsValid &&
    !acceptsCofactoredOnly &&
    fresh.publicKey.length === 32
  );
}
