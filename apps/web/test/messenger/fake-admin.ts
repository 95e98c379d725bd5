/**
 * The admin app's device API played in memory for the messenger's tests (the real one is driven
 * by tests/e2e): an organisation key made at test time signs attestations and revocation lists,
 * one-time codes enrol devices, the directory answers exact addresses, and the organisation's
 * token issuer hands out the token key set and blind-signs token requests (access-tokens.md §5)
 * as the admin app does: for enrolled, unrevoked devices with a valid attestation, with OpenSSL's
 * raw RSA (RFC 9474 BlindSign is s = m^d mod n), so a test is not slowed by it.
 */
import { constants, createPrivateKey, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import { generateEd25519KeyPair, type DeviceIdentity, type Ed25519KeyPair } from '@opendescent/crypto';
import {
  MAX_TOKENS_PER_REQUEST,
  decodeAttestation,
  decodeTokenRequest,
  signAttestation,
  logLeafHash,
  signOrgKeyStatement,
  signRevocationList,
  decodeDeviceCertificate,
  verifyDeviceCertificate,
  type LogLeafKind,
  type RevocationReason,
} from '@opendescent/protocol';
import { AdminRequestError } from '../../src/net/admin-client';
import type { AdminPort, AttestationAnswer, DirectoryDevice } from '../../src/messenger/ports';
import { logEndpoints, type LogEndpoints } from './fake-log';
import { nowSeconds, type TestOrg } from '../net/support/relay-process';

interface Enrolled extends Omit<DirectoryDevice, 'attestation'> {
  attestation: Uint8Array;
  readonly address: string;
  revoked?: { reason: RevocationReason; at: number };
  certificate?: Uint8Array;
  /** When each token issued to it was issued (Unix s), for the per-device limits. */
  readonly issuedAt: number[];
}

/** access-tokens.md §5: tokens per device per hour and per 24 hours. */
const TOKEN_LIMITS = [
  { windowSeconds: 3_600, max: 60 },
  { windowSeconds: 86_400, max: 240 },
];

export class FakeAdmin {
  readonly devices: Enrolled[] = [];
  private readonly codes = new Map<string, { address: string; displayName: string }>();
  private list: Uint8Array | undefined;
  private keySet: Uint8Array | undefined;
  private issuerKey: KeyObject | undefined;
  lookups = 0;
  /** Set by a test: every directory look-up waits for this before it answers (a slow admin app). */
  lookupGate: Promise<void> | undefined;
  /** Revocation lists (attestations.md §3.5): how long each is valid, and the admin app's clock ahead of real time. */
  listValiditySeconds = 86_400;
  listClockOffsetSeconds = 0;
  /** Set by a test: the revocation list and the directory cannot be reached (the admin URL blocked). */
  unreachable = false;
  renewals = 0;
  /** Token issuance requests answered (or refused), and token key set fetches. */
  tokenRequests = 0;
  tokensIssued = 0;
  keySetFetches = 0;
  /** Set by a test: the next issuance requests are refused with this admin error (then it is cleared). */
  refuseTokens: { status: number; code: string; times: number } | undefined;
  /** The key that signs attestations and lists now (attestations.md §4: it changes with a rotation). */
  signer: Ed25519KeyPair;
  /** Every key pinned now, and the organisation-key statements made so far (admin-api.md §9.1). */
  private readonly keys: { publicKey: Uint8Array; status: string }[];
  readonly statements: Uint8Array[] = [];
  orgFetches = 0;
  /** The transparency log as the admin app keeps it (transparency-log.md §4): leaf hashes, heads signed when asked for. */
  private logLeaves: Uint8Array[] = [];
  private readonly heads = new Map<number, Uint8Array>();
  private readonly log: LogEndpoints;
  /** Set by a test: documents issued meanwhile are not logged (an admin app hiding what it signed). */
  logging = true;
  /** Set by a test: device certificates are stored and served but not logged (the rest is). */
  loggingCertificates = true;
  logHeadFetches = 0;
  /** Set by a test: the log's endpoints get no answer (a network failure), the rest answers. */
  logUnreachable = false;
  /** Set by a test: consistency proofs get no answer (a network failure), the rest of the log answers. */
  consistencyUnreachable = false;
  /** Set by a test: every request for the log's head waits for this (a slow log). */
  logGate: Promise<void> | undefined;
  /** The user key on record per address (admin-api.md §12): the first certificate records it. */
  readonly userKeys = new Map<string, Uint8Array>();
  certifications = 0;

  constructor(readonly org: TestOrg) {
    this.signer = org.key;
    this.keys = [{ publicKey: org.key.publicKey, status: 'active' }];
    this.log = logEndpoints({
      orgId: org.orgId,
      leaves: () => this.logLeaves,
      heads: this.heads,
      signer: () => this.signer,
    });
  }

  /**
   * A whole rotation as the admin app makes it (admin-api.md §9.3): the active key introduces the
   * next one, which then signs everything while the previous one retires itself in a week.
   * `introducer`: sign the introduction with another key (a forged rotation).
   */
  async rotate(introducer?: Ed25519KeyPair): Promise<Ed25519KeyPair> {
    const next = await generateEd25519KeyPair();
    const previous = this.signer;
    const statement = (kind: 'introduce' | 'retire', subject: Uint8Array, until: number, by: Ed25519KeyPair) =>
      signOrgKeyStatement(
        { orgId: this.org.orgId, sequence: this.statements.length + 1, issuedAt: nowSeconds(), kind, subject, until },
        by.privateKey,
      );
    this.statements.push(await statement('introduce', next.publicKey, 0, introducer ?? previous));
    this.statements.push(await statement('retire', previous.publicKey, nowSeconds() + 7 * 86_400, previous));
    for (const bytes of this.statements.slice(-2)) this.append('org_key_statement', bytes);
    this.keys.push({ publicKey: next.publicKey, status: 'active' });
    this.signer = next;
    this.list = undefined;
    return next;
  }

  code(address: string, displayName: string): string {
    const code = randomBytes(12).toString('hex').toUpperCase();
    this.codes.set(code, { address, displayName });
    return code;
  }

  private async attest(
    identity: DeviceIdentity,
    deviceId: Uint8Array,
    address: string,
    displayName: string,
  ): Promise<AttestationAnswer> {
    const issuedAt = nowSeconds() - 5;
    const expiresAt = issuedAt + 7 * 86_400;
    const attestation = await signAttestation(
      {
        orgId: this.org.orgId,
        deviceId,
        userAddress: address,
        displayName,
        signingKey: identity.signing.publicKey,
        agreementKey: identity.agreement.publicKey,
        issuedAt,
        expiresAt,
      },
      this.signer.privateKey,
    );
    this.append('attestation', attestation);
    return {
      deviceId,
      attestation,
      expiresAt,
      renewAfter: issuedAt + 3.5 * 86_400,
      org: this.orgDocument(),
    };
  }

  private append(kind: LogLeafKind, document: Uint8Array): void {
    if (this.logging && (kind !== 'device_certificate' || this.loggingCertificates))
      this.logLeaves.push(logLeafHash(kind, document));
  }

  /**
   * A split view for one audience: the same admin app (directory, codes, keys) whose log, from
   * now on, shows a first entry of its own before everything logged since. Each view is consistent
   * on its own; only comparing heads across the two tells them apart.
   */
  forkedView(): FakeAdmin {
    const first = new Uint8Array(randomBytes(32));
    return this.view(() => [first, ...this.logLeaves.slice(1)]);
  }

  /**
   * A split view for one audience: from now on, its log has one entry of its own where the next
   * one would go, and everything logged after it follows. Consistent on its own and one entry
   * longer than the log shown to everyone else, whose admin app never signed its size and so
   * refuses a consistency proof to it (`unknown_tree_size`, transparency-log.md §5.3).
   */
  aheadView(): FakeAdmin {
    const extra = new Uint8Array(randomBytes(32));
    const at = this.logLeaves.length;
    return this.view(() => [...this.logLeaves.slice(0, at), extra, ...this.logLeaves.slice(at)]);
  }

  /** The same log served by another route (`logUnreachable` and `logGate` do not touch it). */
  otherRoute(): FakeAdmin {
    return this.view(() => this.logLeaves);
  }

  /** The same admin app whose log, as this view shows it, is `leaves()`. */
  private view(leaves: () => Uint8Array[]): FakeAdmin {
    const endpoints = logEndpoints({
      orgId: this.org.orgId,
      leaves,
      heads: new Map(),
      signer: () => this.signer,
    });
    return Object.create(this, { port: { value: { ...this.port, ...endpoints } } }) as FakeAdmin;
  }

  /** A split view: the log shown from now on rewrites its first entry (and no head signed before is reused). */
  rewriteLogHistory(): void {
    this.logLeaves = [new Uint8Array(randomBytes(32)), ...this.logLeaves.slice(1)];
    this.heads.clear();
  }

  private orgDocument() {
    return { orgId: this.org.orgId, keys: [...this.keys], statements: [...this.statements] };
  }

  async revoke(deviceId: Uint8Array, reason: RevocationReason = 'lost_or_stolen'): Promise<void> {
    const device = this.find(deviceId);
    if (!device) throw new Error('no such device');
    device.revoked = { reason, at: nowSeconds() };
    this.list = undefined;
  }

  /** The next fetch signs a new list (a higher version, issued now): the admin app's refresh (admin-api.md §6.4). */
  reissueList(): void {
    this.list = undefined;
  }

  private find(deviceId: Uint8Array): Enrolled | undefined {
    return this.devices.find((d) => Buffer.compare(Buffer.from(d.deviceId), Buffer.from(deviceId)) === 0);
  }

  /** A new token key set (a higher version) is served from now on; `keys` as the issuer's keySet() takes them. */
  async publishKeySet(bytes?: Uint8Array): Promise<void> {
    this.keySet = bytes ?? (await this.org.issuer.keySet());
  }

  readonly port: AdminPort = {
    enrol: async ({ code, identity, prekeySlotId }) => {
      const entry = this.codes.get(code);
      if (!entry) throw new AdminRequestError(400, 'code_invalid', 'no such code');
      this.codes.delete(code);
      const deviceId = new Uint8Array(randomBytes(16));
      const answer = await this.attest(identity, deviceId, entry.address, entry.displayName);
      this.devices.push({
        deviceId,
        attestation: answer.attestation,
        prekeySlotId,
        address: entry.address,
        issuedAt: [],
      });
      return answer;
    },
    renew: async ({ deviceId, identity }) => {
      const device = this.devices.find((d) => Buffer.compare(Buffer.from(d.deviceId), Buffer.from(deviceId)) === 0);
      if (!device) throw new AdminRequestError(404, 'unknown_device', 'no such device');
      if (device.revoked) throw new AdminRequestError(403, 'device_revoked', 'revoked');
      this.renewals++;
      const decoded = decodeAttestation(device.attestation).attestation;
      const answer = await this.attest(identity, deviceId, decoded.userAddress, decoded.displayName);
      device.attestation = answer.attestation;
      return answer;
    },
    lookup: async ({ address }) => {
      if (this.unreachable) throw new TypeError('fetch failed');
      this.lookups++;
      await this.lookupGate;
      const devices = this.devices
        .filter((d) => d.address === address && !d.revoked)
        .map(({ deviceId, attestation, prekeySlotId, certificate }) => ({
          deviceId,
          attestation,
          ...(prekeySlotId ? { prekeySlotId } : {}),
          ...(certificate ? { certificate } : {}),
        }));
      return { address, devices };
    },
    certify: async ({ deviceId, certificate }) => {
      // The admin app's checks (admin-api.md §12), kept short: same person, the stored
      // attestation's keys, the user key on record (replaced only once no active device holds it).
      const uploader = this.find(deviceId);
      if (!uploader) throw new AdminRequestError(404, 'unknown_device', 'no such device');
      if (uploader.revoked) throw new AdminRequestError(403, 'device_revoked', 'revoked');
      const { userKey, deviceId: certifiedId } = decodeDeviceCertificate(certificate).certificate;
      const device = this.find(certifiedId);
      if (!device || device.address !== uploader.address)
        throw new AdminRequestError(403, 'certificate_mismatch', 'not a device of this person');
      const recorded = this.userKeys.get(device.address);
      const holders = this.devices.filter((d) => d.address === device.address && d.certificate && !d.revoked);
      if (recorded && Buffer.compare(Buffer.from(recorded), Buffer.from(userKey)) !== 0 && holders.length > 0)
        throw new AdminRequestError(409, 'user_key_mismatch', 'another user key is on record');
      await verifyDeviceCertificate(certificate, {
        userKey,
        attestation: decodeAttestation(device.attestation).attestation,
      });
      this.userKeys.set(device.address, userKey);
      device.certificate = certificate;
      this.certifications++;
      this.append('device_certificate', certificate);
      return { deviceId: certifiedId, logIndex: this.logLeaves.length - 1 };
    },
    revocationList: async () => {
      if (this.unreachable) throw new TypeError('fetch failed');
      const issuedAt = nowSeconds() + this.listClockOffsetSeconds;
      this.list ??= await signRevocationList(
        {
          orgId: this.org.orgId,
          listVersion: this.org.nextListVersion++,
          issuedAt,
          nextUpdate: issuedAt + this.listValiditySeconds,
          revoked: this.devices
            .filter((d) => d.revoked)
            .map((d) => ({
              deviceId: d.deviceId,
              revokedAt: d.revoked?.at ?? 0,
              reason: d.revoked?.reason ?? 'unspecified',
            })),
        },
        this.signer.privateKey,
      );
      return this.list;
    },
    org: async () => {
      this.orgFetches++;
      return this.orgDocument();
    },
    logHead: async () => {
      if (this.logUnreachable) throw new TypeError('fetch failed');
      await this.logGate;
      this.logHeadFetches++;
      return this.log.logHead();
    },
    logInclusion: async (leafHash, treeSize) => {
      if (this.logUnreachable) throw new TypeError('fetch failed');
      return this.log.logInclusion(leafHash, treeSize);
    },
    logConsistency: async (from, to) => {
      if (this.logUnreachable || this.consistencyUnreachable) throw new TypeError('fetch failed');
      return this.log.logConsistency(from, to);
    },
    tokenKeys: async () => {
      this.keySetFetches++;
      this.keySet ??= await this.org.issuer.keySet();
      return this.keySet;
    },
    tokens: async ({ orgId, deviceId, tokenKeyId, requests }) => {
      this.tokenRequests++;
      if (Buffer.compare(Buffer.from(orgId), Buffer.from(this.org.orgId)) !== 0)
        throw new AdminRequestError(400, 'wrong_organisation', 'another organisation');
      const device = this.find(deviceId);
      if (!device) throw new AdminRequestError(404, 'unknown_device', 'no such device');
      if (device.revoked) throw new AdminRequestError(403, 'device_revoked', 'revoked');
      if (decodeAttestation(device.attestation).attestation.expiresAt <= nowSeconds())
        throw new AdminRequestError(403, 'attestation_expired', 'renew first');
      const refusal = this.refuseTokens;
      if (refusal) {
        if (--refusal.times <= 0) this.refuseTokens = undefined;
        throw new AdminRequestError(
          refusal.status,
          refusal.code,
          refusal.code,
          refusal.code === 'rate_limited' ? 30 : undefined,
        );
      }
      if (Buffer.compare(Buffer.from(tokenKeyId), Buffer.from(this.org.issuer.key.tokenKeyId)) !== 0)
        throw new AdminRequestError(409, 'unknown_token_key', 'not a key of the set');
      if (requests.length < 1 || requests.length > MAX_TOKENS_PER_REQUEST)
        throw new AdminRequestError(400, 'malformed', '1 to 20 requests');
      const now = nowSeconds();
      for (const { windowSeconds, max } of TOKEN_LIMITS) {
        const inWindow = device.issuedAt.filter((at) => at > now - windowSeconds);
        if (inWindow.length + requests.length > max) {
          const retryAfter = (inWindow[inWindow.length + requests.length - max - 1] ?? now) + windowSeconds - now;
          throw new AdminRequestError(429, 'rate_limited', 'too many tokens', Math.max(1, retryAfter));
        }
      }
      const decoded = requests.map((request) => decodeTokenRequest(request, tokenKeyId));
      this.issuerKey ??= createPrivateKey({
        key: Buffer.from(await this.org.issuer.pkcs8()),
        format: 'der',
        type: 'pkcs8',
      });
      const key = this.issuerKey;
      const responses = decoded.map((request) => {
        if (request === null) throw new AdminRequestError(400, 'malformed', 'not a token request for this key');
        return new Uint8Array(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, request.blindedMessage));
      });
      this.tokensIssued += responses.length;
      device.issuedAt.push(...responses.map(() => now));
      return { tokenKeyId, responses };
    },
  };
}
