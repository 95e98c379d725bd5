/**
 * Passkey unlock, the page's half (docs/protocol/storage.md §2.1): WebAuthn runs only on the main
 * thread, so the page makes the passkey and evaluates its PRF extension (WebAuthn Level 3 §10.1.4),
 * and hands the worker the 32-byte PRF output, which wraps the vault key there.
 *
 * There is no relying party server: the PRF output is the secret, and no one checks an
 * attestation or an assertion signature. The challenges below are random only because WebAuthn
 * requires one; nothing verifies them.
 */
import { decodeBase64Url, encodeBase64Url } from '@opendescent/protocol';

const PRF_OUTPUT_LENGTH = 32;
const PRF_SALT_LENGTH = 32;

export type PasskeyFailure =
  /** This browser has no WebAuthn, or says it has no PRF extension. */
  | 'unsupported'
  /** The passkey was made or used, but gave no PRF output: it cannot unlock OpenDescent. */
  | 'no_prf'
  /** The person cancelled, or the browser refused without saying why (NotAllowedError). */
  | 'cancelled'
  /** The passkey gave an output, but it does not open this vault. */
  | 'not_accepted'
  | 'failed';

export class PasskeyError extends Error {
  override readonly name = 'PasskeyError';

  constructor(
    readonly reason: PasskeyFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The parts of the browser used here, so that tests can supply their own. */
export interface PasskeyEnvironment {
  readonly credentials: Pick<CredentialsContainer, 'create' | 'get'>;
  readonly getClientCapabilities?: () => Promise<Record<string, boolean>>;
}

export function browserPasskeyEnvironment(): PasskeyEnvironment | undefined {
  if (typeof window === 'undefined' || typeof window.PublicKeyCredential !== 'function' || !navigator.credentials)
    return undefined;
  const publicKeyCredential = window.PublicKeyCredential as typeof PublicKeyCredential & {
    getClientCapabilities?: () => Promise<Record<string, boolean>>;
  };
  const capabilities = publicKeyCredential.getClientCapabilities;
  return {
    credentials: navigator.credentials,
    ...(typeof capabilities === 'function'
      ? { getClientCapabilities: () => capabilities.call(publicKeyCredential) }
      : {}),
  };
}

/**
 * Whether to offer passkeys at all: false without WebAuthn or when the browser says it has no PRF
 * extension. Browsers that cannot say are offered it, and a passkey without PRF is reported then.
 */
export async function passkeysOffered(environment = browserPasskeyEnvironment()): Promise<boolean> {
  if (!environment) return false;
  if (!environment.getClientCapabilities) return true;
  try {
    return (await environment.getClientCapabilities())['extension:prf'] !== false;
  } catch {
    return true;
  }
}

export interface NewPasskey {
  readonly credentialId: string;
  readonly prfSalt: string;
  /** 32 bytes, owned by the caller: zero it once it is sent. */
  readonly prfOutput: Uint8Array;
}

/**
 * Makes a passkey for this site (rp id: the current host) and evaluates its PRF on a fresh random
 * salt. Some authenticators give PRF results only when a passkey is used, not when it is made, so
 * a create() without them is followed by one get().
 */
export async function createPasskey(
  user: { readonly name: string; readonly displayName: string },
  environment = browserPasskeyEnvironment(),
): Promise<NewPasskey> {
  if (!environment) throw new PasskeyError('unsupported', 'this browser has no WebAuthn');
  const prfSalt = randomBuffer(PRF_SALT_LENGTH);
  const credential = await ceremony(() =>
    environment.credentials.create({
      publicKey: {
        rp: { name: 'OpenDescent' },
        user: { id: randomBuffer(16), name: user.name, displayName: user.displayName },
        challenge: randomBuffer(32),
        pubKeyCredParams: [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -8 },
          { type: 'public-key', alg: -257 },
        ],
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
        extensions: { prf: { eval: { first: prfSalt } } },
      },
    }),
  );
  const rawId = new Uint8Array(credential.rawId);
  const results = credential.getClientExtensionResults().prf;
  if (results?.enabled === false) throw new PasskeyError('no_prf', 'this passkey has no PRF extension');
  const prfOutput = takePrfOutput(results) ?? (await evaluate(environment, rawId, prfSalt));
  return { credentialId: encodeBase64Url(rawId), prfSalt: encodeBase64Url(prfSalt), prfOutput };
}

/** Evaluates the PRF of the stored passkey on its salt (both as the snapshot gives them). */
export async function evaluatePasskey(
  passkey: { readonly credentialId: string; readonly prfSalt: string },
  environment = browserPasskeyEnvironment(),
): Promise<Uint8Array> {
  if (!environment) throw new PasskeyError('unsupported', 'this browser has no WebAuthn');
  return evaluate(
    environment,
    new Uint8Array(decodeBase64Url(passkey.credentialId)),
    new Uint8Array(decodeBase64Url(passkey.prfSalt)),
  );
}

/** Sends the PRF output with `send`, then zeroes it, however `send` ends. */
export async function sendPrfOutput<T>(prfOutput: Uint8Array, send: (prfOutput: Uint8Array) => Promise<T>): Promise<T> {
  try {
    return await send(prfOutput);
  } finally {
    prfOutput.fill(0);
  }
}

async function evaluate(
  environment: PasskeyEnvironment,
  credentialId: Uint8Array<ArrayBuffer>,
  prfSalt: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  const assertion = await ceremony(() =>
    environment.credentials.get({
      publicKey: {
        challenge: randomBuffer(32),
        allowCredentials: [{ type: 'public-key', id: credentialId }],
        userVerification: 'required',
        extensions: { prf: { eval: { first: prfSalt } } },
      },
    }),
  );
  const output = takePrfOutput(assertion.getClientExtensionResults().prf);
  if (!output) throw new PasskeyError('no_prf', 'this passkey gave no PRF output');
  return output;
}

/** Runs one WebAuthn call and sorts its failures into what the person can act on. */
async function ceremony(call: () => Promise<Credential | null>): Promise<PublicKeyCredential> {
  let credential: Credential | null;
  try {
    credential = await call();
  } catch (error) {
    // NotAllowedError covers a cancel, a timeout and a refusal: WebAuthn keeps them apart on purpose.
    if (error instanceof DOMException && (error.name === 'NotAllowedError' || error.name === 'AbortError')) {
      throw new PasskeyError('cancelled', 'the passkey request was cancelled or not allowed');
    }
    if (error instanceof DOMException && error.name === 'NotSupportedError')
      throw new PasskeyError('unsupported', 'no passkey of a supported kind');
    throw new PasskeyError('failed', 'the passkey request failed');
  }
  if (credential === null || !('getClientExtensionResults' in credential))
    throw new PasskeyError('cancelled', 'no passkey was given');
  return credential as PublicKeyCredential;
}

/** Copies the first PRF result into an array the caller owns, and zeroes the browser's copy. */
function takePrfOutput(results: AuthenticationExtensionsPRFOutputs | undefined): Uint8Array | undefined {
  const first = results?.results?.first;
  if (first === undefined) return undefined;
  const source = ArrayBuffer.isView(first)
    ? new Uint8Array(first.buffer, first.byteOffset, first.byteLength)
    : new Uint8Array(first);
  if (source.length !== PRF_OUTPUT_LENGTH) throw new PasskeyError('no_prf', `a PRF output of ${source.length} bytes`);
  const output = source.slice();
  source.fill(0);
  return output;
}

function randomBuffer(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}
