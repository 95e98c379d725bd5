/**
 * AccessTokenWallet (access-tokens.md) over a real vault in memory, with an issuer double that
 * answers as the admin app does (blind RSA with OpenSSL, the key set signed by the test
 * organisation) and can be told to refuse. Tokens are checked the way a relay checks them.
 */
import { constants, createPrivateKey, privateDecrypt, randomBytes } from 'node:crypto';
import { generateEd25519KeyPair, type Ed25519KeyPair } from '@opendescent/crypto';
import {
  AccessTokenVerifier,
  TOKEN_KEY_ID_LENGTH,
  decodeTokenRequest,
  relayOriginOf,
  signTokenKeySet,
  verifyTokenKeySet,
} from '@opendescent/protocol';
import { TestTokenIssuer } from '@opendescent/protocol/testing';
import {
  AccessTokenWallet,
  AccessTokenWalletError,
  KEY_SET_MAX_AGE_MS,
  KEY_SET_MIN_REFETCH_MS,
  type TokenIssuerPort,
} from '../../src/net/access-token-wallet';
import { AdminRequestError } from '../../src/net/admin-client';
import { MemoryRecordStore, Vault } from '../../src/store';
import { CHEAP_KDF, PASSPHRASE } from '../store/vault-helpers';

jest.setTimeout(30_000);

const RELAY = 'http://127.0.0.1:7000';
const OTHER_RELAY = 'http://localhost:7001';
const TABLE = 'access-tokens';

interface Org {
  readonly orgId: Uint8Array;
  readonly key: Ed25519KeyPair;
  readonly issuer: TestTokenIssuer;
}

let org: Org;
beforeAll(async () => {
  const orgId = new Uint8Array(randomBytes(16));
  const key = await generateEd25519KeyPair();
  org = { orgId, key, issuer: await TestTokenIssuer.create(orgId, key) };
});

/** A token key set of these issuers' keys, signed by the organisation key, each at a higher version. */
let setVersion = 0;
function keySetOf(issuers: readonly TestTokenIssuer[]): Promise<Uint8Array> {
  const keys = issuers.map(({ key }) => ({
    spki: key.spki,
    issueFrom: key.issueFrom,
    issueUntil: key.issueUntil,
    acceptUntil: key.acceptUntil,
  }));
  return signTokenKeySet(
    { orgId: org.orgId, setVersion: ++setVersion, issuedAt: Math.floor(Date.now() / 1000), keys },
    org.key.privateKey,
  );
}

/** The admin app's token endpoints: the set it serves, the keys it signs with, the refusals a test asks for. */
class IssuerDouble implements TokenIssuerPort {
  keySetFetches = 0;
  tokenCalls: number[] = [];
  set: Uint8Array | undefined;
  signers: TestTokenIssuer[];
  refusals: AdminRequestError[] = [];
  /** Answer with junk instead of blind signatures. */
  garble = false;
  #gate: Promise<void> = Promise.resolve();

  constructor(signers: TestTokenIssuer[]) {
    this.signers = signers;
  }

  /** Holds every issuance until the returned function is called. */
  hold(): () => void {
    let release: () => void = () => undefined;
    this.#gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.#gate = Promise.resolve();
      release();
    };
  }

  async tokenKeys(): Promise<Uint8Array> {
    this.keySetFetches++;
    this.set ??= await keySetOf(this.signers);
    return this.set;
  }

  async tokens({ tokenKeyId, requests }: { tokenKeyId: Uint8Array; requests: readonly Uint8Array[] }) {
    this.tokenCalls.push(requests.length);
    await this.#gate;
    const refusal = this.refusals.shift();
    if (refusal) throw refusal;
    const signer = this.signers.find((s) => Buffer.from(s.key.tokenKeyId).equals(Buffer.from(tokenKeyId)));
    if (!signer) throw new AdminRequestError(409, 'unknown_token_key', 'not a key of the set');
    const key = createPrivateKey({ key: Buffer.from(await signer.pkcs8()), format: 'der', type: 'pkcs8' });
    const responses = requests.map((request) => {
      const decoded = decodeTokenRequest(request, tokenKeyId);
      if (decoded === null) throw new AdminRequestError(400, 'malformed', 'bad request');
      return this.garble
        ? new Uint8Array(randomBytes(256))
        : new Uint8Array(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, decoded.blindedMessage));
    });
    return { tokenKeyId, responses };
  }
}

interface Setup {
  readonly wallet: AccessTokenWallet;
  readonly issuer: IssuerDouble;
  readonly store: MemoryRecordStore;
  readonly vault: Vault;
  clock: number;
}

async function setup(
  options: { issuer?: IssuerDouble; batchSize?: number; store?: MemoryRecordStore; trusted?: Uint8Array } = {},
): Promise<Setup> {
  const store = options.store ?? new MemoryRecordStore();
  const vault = options.store
    ? await Vault.unlock(store, PASSPHRASE)
    : await Vault.create(store, PASSPHRASE, { kdfParams: CHEAP_KDF });
  const issuer = options.issuer ?? new IssuerDouble([org.issuer]);
  const entry = { issuer, store, vault, clock: Date.now() } as Setup;
  const wallet = new AccessTokenWallet({
    vault,
    table: TABLE,
    issuer,
    orgId: org.orgId,
    trusted: () => [{ orgId: org.orgId, publicKey: options.trusted ?? org.key.publicKey }],
    now: () => entry.clock,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
  });
  return Object.assign(entry, { wallet });
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
/** RFC 9578 §6.5: the token's key id, after type (2), nonce (32) and challenge digest (32). */
const keyIdOf = (token: Uint8Array): string => hex(token.subarray(66, 66 + TOKEN_KEY_ID_LENGTH));

async function relayAccepts(token: Uint8Array, keys: TestTokenIssuer[] = [org.issuer], url = RELAY): Promise<boolean> {
  const verifier = await AccessTokenVerifier.create(
    org.orgId,
    keys.map((k) => k.key),
    [relayOriginOf(url)],
  );
  return (await verifier.verify(token, Math.floor(Date.now() / 1000))).ok;
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof AccessTokenWalletError || error instanceof AdminRequestError ? error.code : String(error);
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('AccessTokenWallet', () => {
  it('refill: an empty wallet asks for 10 in one request; below 4 left it asks for 10 more in the background', async () => {
    const { wallet, issuer } = await setup();
    const first = await wallet.take(RELAY);
    expect(await relayAccepts(first)).toBe(true);
    expect(issuer.tokenCalls).toEqual([10]);
    expect(await wallet.count(RELAY)).toBe(9);
    for (let i = 0; i < 5; i++) await wallet.take(RELAY);
    expect(issuer.tokenCalls).toEqual([10]); // 4 left: not yet
    await wallet.take(RELAY); // 3 left
    await until(async () => (await wallet.count(RELAY)) === 13);
    expect(issuer.tokenCalls).toEqual([10, 10]);
  });

  it('tokens are bound to their relay origin: each origin has its own, made for it', async () => {
    const { wallet, issuer } = await setup({ batchSize: 5 });
    const a = await wallet.take(RELAY);
    const b = await wallet.take(OTHER_RELAY);
    expect(issuer.tokenCalls).toEqual([5, 5]);
    expect(await relayAccepts(a, [org.issuer], RELAY)).toBe(true);
    expect(await relayAccepts(b, [org.issuer], OTHER_RELAY)).toBe(true);
    expect(await relayAccepts(b, [org.issuer], RELAY)).toBe(false);
  });

  it('single-flight: concurrent takes on an empty wallet share one issuance, and each gets its own token', async () => {
    const { wallet, issuer } = await setup();
    const release = issuer.hold();
    const takes = Array.from({ length: 5 }, () => wallet.take(RELAY));
    await until(async () => issuer.tokenCalls.length > 0);
    await settle();
    expect(issuer.tokenCalls).toEqual([10]);
    release();
    const tokens = await Promise.all(takes);
    expect(new Set(tokens.map(hex)).size).toBe(5);
    expect(issuer.tokenCalls).toEqual([10]);
  });

  it('more concurrent takes than one issuance yields: the late ones wait for the next issuance', async () => {
    const { wallet, issuer } = await setup({ batchSize: 2 });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => wallet.take(RELAY)));
    expect(new Set(tokens.map(hex)).size).toBe(5);
    expect(issuer.tokenCalls.length).toBeGreaterThanOrEqual(3);
  });

  it('never hands out a token twice: not across concurrent takes, nor across a new wallet over the same vault', async () => {
    const first = await setup({ batchSize: 20 });
    const seen = (await Promise.all(Array.from({ length: 12 }, () => first.wallet.take(RELAY)))).map(hex);
    const again = await setup({ store: first.store, issuer: first.issuer, batchSize: 20 });
    for (let i = 0; i < 12; i++) seen.push(hex(await again.wallet.take(RELAY)));
    expect(new Set(seen).size).toBe(24);
  });

  it('persisted encrypted: the tokens survive a restart in the vault, and the raw store holds no token bytes', async () => {
    const first = await setup({ batchSize: 5 });
    const token = await first.wallet.take(RELAY);
    await first.wallet.take(RELAY);
    await until(async () => (await first.wallet.count(RELAY)) === 8); // 3 left: refilled to 8
    const raw = await first.store.list('');
    const needle = Buffer.from(token.subarray(34, 66)); // the challenge digest all tokens for this relay share
    expect(raw.some(({ value }) => Buffer.from(value).includes(needle))).toBe(false);
    expect(raw.some(({ key }) => key.includes('127.0.0.1') || key.includes(TABLE))).toBe(false);

    first.vault.lock();
    const calls = first.issuer.tokenCalls.length;
    const reopened = await setup({ store: first.store, issuer: first.issuer, batchSize: 5 });
    expect(await reopened.wallet.count(RELAY)).toBe(8);
    expect(await relayAccepts(await reopened.wallet.take(RELAY))).toBe(true);
    expect(reopened.issuer.tokenCalls).toHaveLength(calls);
  });

  it('drops tokens whose key is past acceptUntil, and refills with the current key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const old = await TestTokenIssuer.create(org.orgId, org.key, {
      issueFrom: now - 7200,
      issueUntil: now + 600,
      acceptUntil: now + 3600,
    });
    const next = await TestTokenIssuer.create(org.orgId, org.key, { issueFrom: now + 1200, issueUntil: now + 86_400 });
    const issuer = new IssuerDouble([old, next]);
    issuer.set = await keySetOf([old, next]);
    const s = await setup({ issuer, batchSize: 5 });
    expect(keyIdOf(await s.wallet.take(RELAY))).toBe(hex(old.key.tokenKeyId));
    expect(await s.wallet.count(RELAY)).toBe(4);
    s.clock += 3600_000; // an hour on: the old key's tokens are no longer accepted
    expect(await s.wallet.count(RELAY)).toBe(0);
    expect(keyIdOf(await s.wallet.take(RELAY))).toBe(hex(next.key.tokenKeyId));
    expect(issuer.tokenCalls).toEqual([5, 5]);
  });

  it('the key set is fetched at most every 10 minutes, and again after a relay said token_unknown_key; tokens of a key gone from it are dropped', async () => {
    const retiring = await TestTokenIssuer.create(org.orgId, org.key);
    const issuer = new IssuerDouble([retiring, org.issuer]);
    issuer.set = await keySetOf([retiring]);
    const s = await setup({ issuer, batchSize: 5 });
    await s.wallet.take(RELAY);
    await s.wallet.take(OTHER_RELAY);
    expect(issuer.keySetFetches).toBe(1);
    // The organisation retires that key: the new set has only the other one.
    issuer.set = await keySetOf([org.issuer]);
    s.wallet.keySetStale();
    s.clock += KEY_SET_MIN_REFETCH_MS;
    const token = await s.wallet.take(RELAY);
    expect(issuer.keySetFetches).toBe(2);
    expect(keyIdOf(token)).toBe(hex(org.issuer.key.tokenKeyId));
    expect(await s.wallet.count(OTHER_RELAY)).toBe(0);
    s.clock += KEY_SET_MAX_AGE_MS - 1;
    for (let i = 0; i < 4; i++) await s.wallet.take(RELAY);
    expect(issuer.keySetFetches).toBe(2);
  });

  it('the admin app says unknown_token_key: the set is fetched again and the issuance retried once with its key', async () => {
    const stale = await TestTokenIssuer.create(org.orgId, org.key);
    const issuer = new IssuerDouble([org.issuer]); // no longer signs with `stale`
    issuer.set = await keySetOf([stale]);
    const s = await setup({ issuer, batchSize: 3 });
    const setOfNow = await keySetOf([org.issuer]);
    const fetch = issuer.tokenKeys.bind(issuer);
    issuer.tokenKeys = async () => {
      if (issuer.keySetFetches === 1) issuer.set = setOfNow;
      return fetch();
    };
    const token = await s.wallet.take(RELAY);
    expect(keyIdOf(token)).toBe(hex(org.issuer.key.tokenKeyId));
    expect(issuer.keySetFetches).toBe(2);
    expect(issuer.tokenCalls).toEqual([3, 3]);
  });

  it('device_revoked stops issuance and is reported once; nothing more is asked until resume()', async () => {
    const s = await setup({ batchSize: 2 });
    const stops: string[] = [];
    s.wallet.onStop((code) => stops.push(code));
    s.issuer.refusals.push(new AdminRequestError(403, 'device_revoked', 'revoked'));
    expect(await failure(s.wallet.take(RELAY))).toBe('device_revoked');
    expect(await failure(s.wallet.take(RELAY))).toBe('device_revoked');
    expect(stops).toEqual(['device_revoked']);
    expect(s.issuer.tokenCalls).toHaveLength(1);
    expect(s.wallet.stopped).toBe('device_revoked');
  });

  it('attestation_expired stops issuance until resume() (after a renewal); then tokens come again', async () => {
    const s = await setup({ batchSize: 2 });
    const stops: string[] = [];
    s.wallet.onStop((code) => stops.push(code));
    s.issuer.refusals.push(new AdminRequestError(403, 'attestation_expired', 'renew first'));
    expect(await failure(s.wallet.take(RELAY))).toBe('attestation_expired');
    expect(await failure(s.wallet.take(RELAY))).toBe('attestation_expired');
    expect(s.issuer.tokenCalls).toHaveLength(1);
    s.wallet.resume();
    expect(await relayAccepts(await s.wallet.take(RELAY))).toBe(true);
    expect(stops).toEqual(['attestation_expired']);
  });

  it('rate_limited: no request before Retry-After has passed', async () => {
    const s = await setup({ batchSize: 2 });
    s.issuer.refusals.push(new AdminRequestError(429, 'rate_limited', 'slow down', 120));
    expect(await failure(s.wallet.take(RELAY))).toBe('rate_limited');
    s.clock += 119_000;
    expect(await failure(s.wallet.take(RELAY))).toBe('rate_limited');
    expect(s.issuer.tokenCalls).toHaveLength(1);
    s.clock += 1_000;
    await s.wallet.take(RELAY);
    expect(s.issuer.tokenCalls).toHaveLength(2);
  });

  it('a key set not signed by a pinned organisation key is refused: nothing is requested or stored', async () => {
    const stranger = await generateEd25519KeyPair();
    const s = await setup({ trusted: stranger.publicKey, batchSize: 2 });
    expect(await failure(s.wallet.take(RELAY))).toBe('key_set_invalid');
    expect(s.issuer.tokenCalls).toEqual([]);
    // And the set verifies under the real key, so the refusal was the signature's.
    await expect(
      verifyTokenKeySet(await s.issuer.tokenKeys(), [{ orgId: org.orgId, publicKey: org.key.publicKey }]),
    ).resolves.toBeDefined();
  });

  it('an issuer whose answers do not unblind to valid signatures: bad_issuance, nothing kept', async () => {
    const s = await setup({ batchSize: 3 });
    s.issuer.garble = true;
    expect(await failure(s.wallet.take(RELAY))).toBe('bad_issuance');
    expect(await s.wallet.count(RELAY)).toBe(0);
    expect(await s.store.list('r:')).toEqual([]);
  });

  it('a batch size outside 1..20 is refused at construction', async () => {
    await expect(setup({ batchSize: 21 })).rejects.toThrow(RangeError);
    await expect(setup({ batchSize: 0 })).rejects.toThrow(RangeError);
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
