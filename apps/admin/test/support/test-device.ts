// Plays a staff member's device against the device API: its own identity keys (libs/crypto),
// signed requests exactly as docs/protocol/admin-api.md §3 describes them.
import { randomBytes } from 'node:crypto';
import {
  generateEd25519KeyPair,
  generateX25519KeyPair,
  type Ed25519KeyPair,
  type X25519KeyPair,
} from '@opendescent/crypto';
import { signDeviceRequest } from '@opendescent/protocol';

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
export const unb64 = (text: unknown) => new Uint8Array(Buffer.from(String(text), 'base64url'));

export interface SignedBody {
  payload: string;
  signature: string;
  attestation?: string;
}

export class TestDevice {
  deviceId: Uint8Array | undefined;
  attestation: Uint8Array | undefined;
  orgId: Uint8Array | undefined;

  private constructor(
    readonly signing: Ed25519KeyPair,
    readonly agreement: X25519KeyPair,
    private readonly clock: () => number,
  ) {}

  static async create(clock: () => Date): Promise<TestDevice> {
    return new TestDevice(await generateEd25519KeyPair(), await generateX25519KeyPair(), () =>
      Math.floor(clock().getTime() / 1000),
    );
  }

  async sign(
    fields: Record<string, unknown>,
    options: { attestation?: Uint8Array; key?: Ed25519KeyPair } = {},
  ): Promise<SignedBody> {
    const payload = JSON.stringify({ v: 1, timestamp: this.clock(), nonce: b64(randomBytes(16)), ...fields });
    const signature = await signDeviceRequest(payload, (options.key ?? this.signing).privateKey);
    return {
      payload,
      signature: b64(signature),
      ...(options.attestation ? { attestation: b64(options.attestation) } : {}),
    };
  }

  enrolment(code: string, extra: Record<string, unknown> = {}): Promise<SignedBody> {
    return this.sign({
      type: 'enrol',
      code,
      signingKey: b64(this.signing.publicKey),
      agreementKey: b64(this.agreement.publicKey),
      ...extra,
    });
  }

  renewal(extra: Record<string, unknown> = {}): Promise<SignedBody> {
    return this.sign({
      type: 'renew',
      orgId: b64(this.need(this.orgId)),
      deviceId: b64(this.need(this.deviceId)),
      ...extra,
    });
  }

  lookup(address: string, extra: Record<string, unknown> = {}): Promise<SignedBody> {
    return this.sign(
      { type: 'lookup', orgId: b64(this.need(this.orgId)), deviceId: b64(this.need(this.deviceId)), address, ...extra },
      { attestation: this.need(this.attestation) },
    );
  }

  /** A token issuance request (admin-api.md §11.2): blinded requests to one issuer key. */
  tokens(
    tokenKeyId: Uint8Array,
    requests: readonly Uint8Array[],
    extra: Record<string, unknown> = {},
  ): Promise<SignedBody> {
    return this.sign({
      type: 'tokens',
      orgId: b64(this.need(this.orgId)),
      deviceId: b64(this.need(this.deviceId)),
      tokenKeyId: b64(tokenKeyId),
      requests: requests.map(b64),
      ...extra,
    });
  }

  /** A certificate upload (admin-api.md §12), signed by this device. */
  certify(certificate: Uint8Array, extra: Record<string, unknown> = {}): Promise<SignedBody> {
    return this.sign({
      type: 'certify',
      orgId: b64(this.need(this.orgId)),
      deviceId: b64(this.need(this.deviceId)),
      certificate: b64(certificate),
      ...extra,
    });
  }

  /** Keeps what enrolment or renewal answered. */
  adopt(json: Record<string, unknown>): void {
    this.deviceId = unb64(json.deviceId);
    this.attestation = unb64(json.attestation);
    this.orgId = unb64((json.org as { orgId: string }).orgId);
  }

  private need<T>(value: T | undefined): T {
    if (value === undefined) throw new Error('enrol the test device first');
    return value;
  }
}
