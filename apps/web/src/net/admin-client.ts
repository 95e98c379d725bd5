/**
 * The device side of the admin app's HTTP API (docs/protocol/admin-api.md): enrolment, renewal,
 * directory look-ups, the organisation document, the revocation list, and the anonymous relay
 * access tokens (access-tokens.md): the signed token key set and blind issuance.
 *
 * - The JSON is @opendescent/protocol's admin-api schemas, the ones the admin app parses with:
 *   requests are written as their input types, answers parsed by them strictly (no unknown keys;
 *   binary fields canonical unpadded base64url of the right length, §1). A server that answers
 *   otherwise is `malformed_response`, never half-trusted.
 * - Device requests are signed as §3 specifies: the payload is a JSON string, signed exactly as
 *   sent with the device identity key (`signDeviceRequest`), with a fresh 16-byte nonce and the
 *   current Unix time, so neither side canonicalises JSON.
 * - Transport (timeouts, size caps, no cookies, no redirects): admin-http.ts; refusals and their
 *   codes: admin-errors.ts. Nothing here logs.
 */
import { constantTimeEqual, randomBytes, type DeviceIdentity } from '@opendescent/crypto';
import {
  DEVICE_REQUEST_NONCE_LENGTH,
  DEVICE_REQUEST_VERSION,
  MAX_REVOCATION_LIST_BYTES,
  MAX_TOKEN_KEY_SET_BYTES,
  MAX_TOKENS_PER_REQUEST,
  TOKEN_KEY_ID_LENGTH,
  TOKEN_REQUEST_LENGTH,
  addressProblem,
  attestationAnswerSchema,
  encodeBase64Url,
  logConsistencyAnswerSchema,
  logHeadAnswerSchema,
  logInclusionAnswerSchema,
  lookupAnswerSchema,
  orgDocumentSchema,
  prepareAddress,
  signDeviceRequest,
  tokensAnswerSchema,
  certifyAnswerSchema,
  type CertifyPayloadJson,
  type DeviceRequestType,
  type EnrolPayloadJson,
  type LookupPayloadJson,
  type OrgKeyStatus,
  type RenewPayloadJson,
  type SignedRequestBodyJson,
  type TokensPayloadJson,
} from '@opendescent/protocol';
import { AdminRequestError } from './admin-errors';
import { AdminHttp, type AdminHttpOptions } from './admin-http';

export {
  ADMIN_ERROR_CODES,
  AdminRequestError,
  LOOKUP_REFUSAL_CODES,
  isLookupRefusal,
  type AdminErrorCode,
  type LookupRefusalCode,
} from './admin-errors';
export { DEFAULT_ADMIN_TIMEOUT_MS } from './admin-http';
export type { OrgKeyStatus };

// What the answers are to callers, read-only: the shared schemas' outputs (@opendescent/protocol) fit them.
export interface OrgKeyInfo {
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly status: OrgKeyStatus;
  /** Retired keys: pinned until this Unix time (§9.1). */
  readonly pinnedUntil?: number;
}

/** §9.1: the keys to pin. */
export interface OrgInfo {
  readonly orgId: Uint8Array;
  readonly keys: readonly OrgKeyInfo[];
  readonly revocationListVersion: number;
  /** Organisation-key statements, oldest first (attestations.md §4). */
  readonly statements: readonly Uint8Array[];
}

/** transparency-log.md §5.2. The caller still checks the proof against a head it verified. */
export interface LogInclusion {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly proof: readonly Uint8Array[];
}

/** §4.3. The caller still verifies the attestation against the pinned org keys. */
export interface AttestationAnswer {
  readonly deviceId: Uint8Array;
  readonly attestation: Uint8Array;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly renewAfter: number;
  readonly org: OrgInfo;
}

/** §7.3. The caller still verifies each attestation (org key, validity, revocation, address). */
export interface LookupAnswer {
  readonly address: string;
  readonly devices: readonly {
    readonly deviceId: Uint8Array;
    readonly attestation: Uint8Array;
    readonly prekeySlotId?: Uint8Array;
    /** Its certificate by its person's user key (user-keys.md §2), once approved; the caller verifies it. */
    readonly certificate?: Uint8Array;
  }[];
}

/** access-tokens.md §5: one blind signature per request, in request order. The caller unblinds and verifies each. */
export interface TokensAnswer {
  readonly tokenKeyId: Uint8Array;
  readonly responses: readonly Uint8Array[];
}

export interface AdminClientOptions extends AdminHttpOptions {
  /** Unix milliseconds; the payload timestamp comes from it (§3.3). */
  readonly clock?: () => number;
}

/** A payload as the caller fills it: the fields of every request (§3.3) are added when it is signed. */
type PayloadFields<P> = Omit<P, 'v' | 'timestamp' | 'nonce'>;

export class AdminClient {
  readonly #http: AdminHttp;
  readonly #clock: () => number;

  constructor(baseUrl: string, options: AdminClientOptions = {}) {
    this.#http = new AdminHttp(baseUrl, options);
    this.#clock = options.clock ?? Date.now;
  }

  /** §9.1: the keys to pin. Check `orgId` against what the administrator gave out of band. */
  async org(): Promise<OrgInfo> {
    return this.#http.json('GET', '/api/v1/org', undefined, orgDocumentSchema, [200]);
  }

  /** §4.2: enrols this device's identity with a one-time code. */
  async enrol(request: {
    code: string;
    identity: DeviceIdentity;
    prekeySlotId?: Uint8Array;
  }): Promise<AttestationAnswer> {
    const body = await this.#signed<EnrolPayloadJson>(request.identity, {
      type: 'enrol',
      code: request.code,
      signingKey: encodeBase64Url(request.identity.signing.publicKey),
      agreementKey: encodeBase64Url(request.identity.agreement.publicKey),
      ...(request.prekeySlotId ? { prekeySlotId: encodeBase64Url(request.prekeySlotId) } : {}),
    });
    return this.#http.json('POST', '/api/v1/enrol', body, attestationAnswerSchema, [201]);
  }

  /** §5: a fresh attestation for an enrolled device, signed with its enrolled identity key. */
  async renew(request: {
    orgId: Uint8Array;
    deviceId: Uint8Array;
    identity: DeviceIdentity;
    prekeySlotId?: Uint8Array;
  }): Promise<AttestationAnswer> {
    const body = await this.#signed<RenewPayloadJson>(request.identity, {
      type: 'renew',
      orgId: encodeBase64Url(request.orgId),
      deviceId: encodeBase64Url(request.deviceId),
      ...(request.prekeySlotId ? { prekeySlotId: encodeBase64Url(request.prekeySlotId) } : {}),
    });
    return this.#http.json('POST', '/api/v1/renew', body, attestationAnswerSchema, [200]);
  }

  /**
   * §7: one exact address. An empty `devices` list means no enrolled device was found for this
   * address: an unknown address and a member without a current device get the same answer, on
   * purpose (§7.3). Refusals are AdminRequestErrors with a LookupRefusalCode (admin-errors.ts);
   * an address outside the profile is refused here, before it costs a look-up.
   */
  async lookup(request: {
    orgId: Uint8Array;
    deviceId: Uint8Array;
    attestation: Uint8Array;
    identity: DeviceIdentity;
    address: string;
  }): Promise<LookupAnswer> {
    const problem =
      typeof request.address === 'string' ? addressProblem(prepareAddress(request.address.trim())) : 'is not text';
    if (problem !== undefined) throw new AdminRequestError(0, 'invalid_address', `the address ${problem}`);
    const body = await this.#signed<LookupPayloadJson>(
      request.identity,
      {
        type: 'lookup',
        orgId: encodeBase64Url(request.orgId),
        deviceId: encodeBase64Url(request.deviceId),
        address: request.address,
      },
      request.attestation,
    );
    return this.#http.json('POST', '/api/v1/directory/lookup', body, lookupAnswerSchema, [200]);
  }

  /** §6.2: the signed list, as bytes; the caller verifies it (verifyRevocationList) and checks `supersedes`. */
  async revocationList(): Promise<Uint8Array> {
    return this.#http.document('/api/v1/revocation-list', MAX_REVOCATION_LIST_BYTES, 'revocation list');
  }

  /** transparency-log.md §5.1: the newest signed tree head, as bytes; the caller verifies it (verifyTreeHead). */
  async logHead(): Promise<Uint8Array> {
    return (await this.#http.json('GET', '/api/v1/log/head', undefined, logHeadAnswerSchema, [200])).treeHead;
  }

  /** §5.2: a leaf's index and inclusion proof in the tree of a signed size; the caller checks it (checkInclusion). */
  async logInclusion(leafHash: Uint8Array, treeSize: number): Promise<LogInclusion> {
    const query = `leafHash=${encodeBase64Url(leafHash)}&treeSize=${treeSize}`;
    return this.#http.json('GET', `/api/v1/log/inclusion?${query}`, undefined, logInclusionAnswerSchema, [200]);
  }

  /** §5.3: the consistency proof between two signed sizes; the caller checks it (checkTreeHeadConsistency). */
  async logConsistency(from: number, to: number): Promise<readonly Uint8Array[]> {
    const path = `/api/v1/log/consistency?from=${from}&to=${to}`;
    return (await this.#http.json('GET', path, undefined, logConsistencyAnswerSchema, [200])).proof;
  }

  /** §11.1: the token key set, as bytes; the caller verifies it (verifyTokenKeySet) against the pinned org keys. */
  async tokenKeys(): Promise<Uint8Array> {
    return this.#http.document('/api/v1/token-keys', MAX_TOKEN_KEY_SET_BYTES, 'token key set');
  }

  /**
   * Blind issuance (§11.2, access-tokens.md §5): 1 to 20 blinded token requests for one issuer
   * key, signed like renew. The answer must name the same key and carry exactly one response per request.
   */
  async tokens(request: {
    orgId: Uint8Array;
    deviceId: Uint8Array;
    identity: DeviceIdentity;
    tokenKeyId: Uint8Array;
    requests: readonly Uint8Array[];
  }): Promise<TokensAnswer> {
    if (request.tokenKeyId.length !== TOKEN_KEY_ID_LENGTH)
      throw new TypeError(`tokens: the token key id is ${TOKEN_KEY_ID_LENGTH} bytes`);
    if (request.requests.length < 1 || request.requests.length > MAX_TOKENS_PER_REQUEST)
      throw new TypeError(`tokens: 1 to ${MAX_TOKENS_PER_REQUEST} requests`);
    if (request.requests.some((r) => r.length !== TOKEN_REQUEST_LENGTH))
      throw new TypeError(`tokens: a token request is ${TOKEN_REQUEST_LENGTH} bytes`);
    const body = await this.#signed<TokensPayloadJson>(request.identity, {
      type: 'tokens',
      orgId: encodeBase64Url(request.orgId),
      deviceId: encodeBase64Url(request.deviceId),
      tokenKeyId: encodeBase64Url(request.tokenKeyId),
      requests: request.requests.map((r) => encodeBase64Url(r)),
    });
    const answer = await this.#http.json('POST', '/api/v1/tokens', body, tokensAnswerSchema, [200]);
    if (!constantTimeEqual(answer.tokenKeyId, request.tokenKeyId))
      throw new AdminRequestError(200, 'malformed_response', '/api/v1/tokens: the answer is for another token key');
    if (answer.responses.length !== request.requests.length)
      throw new AdminRequestError(200, 'malformed_response', '/api/v1/tokens: one response per request expected');
    return answer;
  }

  /**
   * §12: publishes a certificate this person's user key made (for this device or one it approved
   * through the device link), signed by this device. Resolves with the certified device's log index.
   */
  async certify(request: {
    orgId: Uint8Array;
    deviceId: Uint8Array;
    identity: DeviceIdentity;
    certificate: Uint8Array;
  }): Promise<{ deviceId: Uint8Array; logIndex: number }> {
    const body = await this.#signed<CertifyPayloadJson>(request.identity, {
      type: 'certify',
      orgId: encodeBase64Url(request.orgId),
      deviceId: encodeBase64Url(request.deviceId),
      certificate: encodeBase64Url(request.certificate),
    });
    const answer = await this.#http.json('POST', '/api/v1/device-certificates', body, certifyAnswerSchema, [201]);
    return { deviceId: answer.deviceId, logIndex: answer.logIndex };
  }

  /** §3.1, §3.3: the body of a signed device request. */
  async #signed<P extends { type: DeviceRequestType }>(
    identity: DeviceIdentity,
    fields: PayloadFields<P>,
    attestation?: Uint8Array,
  ): Promise<string> {
    const payload = JSON.stringify({
      v: DEVICE_REQUEST_VERSION,
      ...fields,
      timestamp: Math.floor(this.#clock() / 1000),
      nonce: encodeBase64Url(randomBytes(DEVICE_REQUEST_NONCE_LENGTH)),
    });
    const signature = await signDeviceRequest(payload, identity.signing.privateKey);
    const body: SignedRequestBodyJson = {
      payload,
      signature: encodeBase64Url(signature),
      ...(attestation ? { attestation: encodeBase64Url(attestation) } : {}),
    };
    return JSON.stringify(body);
  }
}
