/**
 * Plays a staff member's device against the admin app's real HTTP API, with identity keys made by
 * libs/crypto, signing requests as docs/protocol/admin-api.md §3 specifies (written here from the
 * spec, not imported from the app, so the test checks the documented format).
 */
import { randomBytes } from 'node:crypto';
import {
  concatBytes,
  ed25519Sign,
  generateEd25519KeyPair,
  generateX25519KeyPair,
  utf8Encode,
  type Ed25519KeyPair,
  type X25519KeyPair,
} from '@opendescent/crypto';
import { blindAccessTokenRequest, decodeTokenKeySet, issuingTokenKey, relayOriginOf } from '@opendescent/protocol';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const unb64 = (text: unknown) => new Uint8Array(Buffer.from(String(text), 'base64url'));

/** admin-api.md §3.2 */
export function adminRequestSigningInput(payload: string): Uint8Array {
  return concatBytes(utf8Encode('OpenDescent admin request v1'), new Uint8Array([0]), utf8Encode(payload));
}

export class AdminApiDevice {
  deviceId: Uint8Array | undefined;
  attestation: Uint8Array | undefined;
  orgId: Uint8Array | undefined;

  private constructor(
    readonly signing: Ed25519KeyPair,
    readonly agreement: X25519KeyPair,
  ) {}

  static async create(): Promise<AdminApiDevice> {
    return new AdminApiDevice(await generateEd25519KeyPair(), await generateX25519KeyPair());
  }

  private async signed(fields: Record<string, unknown>): Promise<{ payload: string; signature: string }> {
    const payload = JSON.stringify({
      v: 1,
      ...fields,
      timestamp: Math.floor(Date.now() / 1000),
      nonce: b64(randomBytes(16)),
    });
    return { payload, signature: b64(await ed25519Sign(this.signing.privateKey, adminRequestSigningInput(payload))) };
  }

  private async post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  /** POST /api/v1/enrol (admin-api.md §4.2); keeps the attestation. */
  async enrol(adminUrl: string, code: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const body = await this.signed({
      type: 'enrol',
      code,
      signingKey: b64(this.signing.publicKey),
      agreementKey: b64(this.agreement.publicKey),
    });
    const result = await this.post(`${adminUrl}/api/v1/enrol`, body);
    if (result.status === 201) {
      this.deviceId = unb64(result.json.deviceId);
      this.attestation = unb64(result.json.attestation);
      this.orgId = unb64((result.json.org as { orgId: string }).orgId);
    }
    return result;
  }

  /** POST /api/v1/renew (admin-api.md §5). */
  async renew(adminUrl: string): Promise<{ status: number; json: Record<string, unknown> }> {
    if (!this.deviceId || !this.orgId) throw new Error('enrol first');
    return this.post(
      `${adminUrl}/api/v1/renew`,
      await this.signed({ type: 'renew', orgId: b64(this.orgId), deviceId: b64(this.deviceId) }),
    );
  }

  /** POST /api/v1/directory/lookup (admin-api.md §7). */
  async lookUp(adminUrl: string, address: string): Promise<{ status: number; json: Record<string, unknown> }> {
    if (!this.deviceId || !this.orgId || !this.attestation) throw new Error('enrol first');
    const body = {
      ...(await this.signed({ type: 'lookup', orgId: b64(this.orgId), deviceId: b64(this.deviceId), address })),
      attestation: b64(this.attestation),
    };
    return this.post(`${adminUrl}/api/v1/directory/lookup`, body);
  }

  /**
   * One access token for the relay at `relayUrl` (access-tokens.md, admin-api.md): the issuer key
   * from GET /api/v1/token-keys, a blinded request in a signed POST /api/v1/tokens, unblinded here.
   * The status and body of the token request are returned when it is refused.
   */
  async accessToken(
    adminUrl: string,
    relayUrl: string,
  ): Promise<{ status: number; token?: Uint8Array; json?: Record<string, unknown> }> {
    if (!this.deviceId || !this.orgId) throw new Error('enrol first');
    const keys = await fetch(`${adminUrl}/api/v1/token-keys`);
    if (keys.status !== 200) throw new Error(`GET /api/v1/token-keys: HTTP ${keys.status}`);
    const key = issuingTokenKey(
      decodeTokenKeySet(new Uint8Array(await keys.arrayBuffer())).set,
      Math.floor(Date.now() / 1000),
    );
    if (!key) throw new Error('no issuing token key');
    const pending = await blindAccessTokenRequest(key, this.orgId, relayOriginOf(relayUrl));
    const body = await this.signed({
      type: 'tokens',
      orgId: b64(this.orgId),
      deviceId: b64(this.deviceId),
      tokenKeyId: b64(key.tokenKeyId),
      requests: [b64(pending.request)],
    });
    const result = await this.post(`${adminUrl}/api/v1/tokens`, body);
    if (result.status !== 200) return result;
    return { status: 200, token: await pending.finish(unb64((result.json.responses as string[])[0])) };
  }

  get deviceIdHex(): string {
    if (!this.deviceId) throw new Error('enrol first');
    return Buffer.from(this.deviceId).toString('hex');
  }
}
