/** The page's WebAuthn half of passkey unlock, against a fake credentials container. */
import { decodeBase64Url } from '@opendescent/protocol';
import {
  createPasskey,
  evaluatePasskey,
  PasskeyError,
  passkeysOffered,
  sendPrfOutput,
  type PasskeyEnvironment,
} from '../../src/ui/passkey';

const RAW_ID = Uint8Array.of(1, 2, 3, 4).buffer;

interface FakeOptions {
  /** PRF result returned by create(); undefined for none (as some authenticators do). */
  readonly onCreate?: ArrayBuffer;
  /** PRF result returned by get(); undefined for none. */
  readonly onGet?: ArrayBuffer;
  readonly enabled?: boolean;
  readonly getError?: Error;
}

function fakeCredential(prf: AuthenticationExtensionsPRFOutputs): Credential {
  return {
    id: 'AQIDBA',
    type: 'public-key',
    rawId: RAW_ID,
    getClientExtensionResults: () => ({ prf }),
  } as unknown as Credential;
}

function fakeEnvironment(options: FakeOptions) {
  const calls: { create: CredentialCreationOptions[]; get: CredentialRequestOptions[] } = { create: [], get: [] };
  const environment: PasskeyEnvironment = {
    credentials: {
      create: async (request) => {
        calls.create.push(request as CredentialCreationOptions);
        return fakeCredential({
          ...(options.enabled === undefined ? {} : { enabled: options.enabled }),
          ...(options.onCreate ? { results: { first: options.onCreate } } : {}),
        });
      },
      get: async (request) => {
        calls.get.push(request as CredentialRequestOptions);
        if (options.getError) throw options.getError;
        return fakeCredential(options.onGet ? { results: { first: options.onGet } } : {});
      },
    },
  };
  return { environment, calls };
}

const output = (fill: number) => new Uint8Array(32).fill(fill).buffer;

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof PasskeyError ? error.reason : 'no PasskeyError';
}

describe('createPasskey', () => {
  it('asks for a user-verified passkey with the PRF evaluated on a fresh 32-byte salt, and returns its output', async () => {
    const { environment, calls } = fakeEnvironment({ onCreate: output(7) });
    const made = await createPasskey({ name: 'ann@agency.example', displayName: 'Ann' }, environment);
    expect(made.prfOutput).toEqual(new Uint8Array(32).fill(7));
    expect(decodeBase64Url(made.credentialId)).toEqual(new Uint8Array(RAW_ID));
    const request = calls.create[0]?.publicKey as PublicKeyCredentialCreationOptions;
    expect(request.rp).toEqual({ name: 'OpenDescent' });
    expect(request.user.name).toBe('ann@agency.example');
    expect(request.authenticatorSelection?.userVerification).toBe('required');
    expect(new Uint8Array(request.extensions?.prf?.eval?.first as Uint8Array)).toEqual(
      decodeBase64Url(made.prfSalt, 32),
    );
    expect(calls.get).toHaveLength(0);
  });

  it('evaluates the PRF with one get() when create() gave no result', async () => {
    const { environment, calls } = fakeEnvironment({ onGet: output(9) });
    const made = await createPasskey({ name: 'a@b.example', displayName: 'A' }, environment);
    expect(made.prfOutput).toEqual(new Uint8Array(32).fill(9));
    const request = calls.get[0]?.publicKey as PublicKeyCredentialRequestOptions;
    expect(request.allowCredentials?.map((c) => new Uint8Array(c.id as Uint8Array))).toEqual([new Uint8Array(RAW_ID)]);
    expect(request.userVerification).toBe('required');
  });

  it('reports no_prf for a passkey without the PRF extension', async () => {
    expect(await failure(createPasskey({ name: 'a', displayName: 'A' }, fakeEnvironment({}).environment))).toBe(
      'no_prf',
    );
    expect(
      await failure(createPasskey({ name: 'a', displayName: 'A' }, fakeEnvironment({ enabled: false }).environment)),
    ).toBe('no_prf');
  });

  it('reports no_prf for a PRF output that is not 32 bytes', async () => {
    expect(
      await failure(
        createPasskey({ name: 'a', displayName: 'A' }, fakeEnvironment({ onCreate: new ArrayBuffer(16) }).environment),
      ),
    ).toBe('no_prf');
  });

  it('reports unsupported without WebAuthn', async () => {
    expect(await failure(createPasskey({ name: 'a', displayName: 'A' }, undefined))).toBe('unsupported');
  });
});

describe('evaluatePasskey', () => {
  it('returns a copy of the output and zeroes the browser’s buffer', async () => {
    const browserBuffer = output(5);
    const { environment } = fakeEnvironment({ onGet: browserBuffer });
    const result = await evaluatePasskey({ credentialId: 'AQIDBA', prfSalt: 'A'.repeat(43) }, environment);
    expect(result).toEqual(new Uint8Array(32).fill(5));
    expect(new Uint8Array(browserBuffer)).toEqual(new Uint8Array(32));
  });

  it('reports cancelled for a NotAllowedError (cancel, timeout, refusal)', async () => {
    const { environment } = fakeEnvironment({ getError: new DOMException('no', 'NotAllowedError') });
    expect(await failure(evaluatePasskey({ credentialId: 'AQIDBA', prfSalt: 'A'.repeat(43) }, environment))).toBe(
      'cancelled',
    );
  });
});

describe('sendPrfOutput', () => {
  it('zeroes the output after sending, and after a failed send', async () => {
    const sent = new Uint8Array(32).fill(1);
    let seen: number[] = [];
    await sendPrfOutput(sent, async (value) => {
      seen = [...value];
    });
    expect(seen).toEqual(new Array(32).fill(1));
    expect(sent).toEqual(new Uint8Array(32));
    const refused = new Uint8Array(32).fill(2);
    await expect(sendPrfOutput(refused, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(refused).toEqual(new Uint8Array(32));
  });
});

describe('passkeysOffered', () => {
  it('is false without WebAuthn or when the browser says it has no PRF, true otherwise', async () => {
    const { environment } = fakeEnvironment({});
    expect(await passkeysOffered(undefined)).toBe(false);
    expect(await passkeysOffered(environment)).toBe(true);
    expect(
      await passkeysOffered({ ...environment, getClientCapabilities: async () => ({ 'extension:prf': false }) }),
    ).toBe(false);
    expect(
      await passkeysOffered({ ...environment, getClientCapabilities: async () => ({ 'extension:prf': true }) }),
    ).toBe(true);
    expect(
      await passkeysOffered({ ...environment, getClientCapabilities: async () => Promise.reject(new Error('x')) }),
    ).toBe(true);
  });
});
