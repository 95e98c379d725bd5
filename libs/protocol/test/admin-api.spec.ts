import {
  MAX_TOKENS_PER_REQUEST,
  TOKEN_REQUEST_LENGTH,
  attestationAnswerSchema,
  base64UrlField,
  encodeBase64Url,
  enrolPayloadSchema,
  lookupAnswerSchema,
  lookupPayloadSchema,
  orgDocumentSchema,
  signedRequestBodySchema,
  tokensPayloadSchema,
  type AttestationAnswerJson,
  type LookupPayloadJson,
} from '../src/index';
import { labelled } from './support';

/** `length` bytes derived from a label (sha256 gives 32; longer values repeat them). */
const bytesOf = (label: string, length: number) =>
  Uint8Array.from({ length }, (_, i) => labelled(label, 32)[i % 32] as number);
const b64 = (label: string, length: number) => encodeBase64Url(bytesOf(label, length));

const common = { v: 1 as const, timestamp: 1_764_158_400, nonce: b64('nonce', 16) };
const org = {
  orgId: b64('org', 16),
  keys: [{ keyId: b64('key id', 8), publicKey: b64('key', 32), status: 'active' as const }],
  revocationListVersion: 3,
  statements: [b64('statement', 135)],
};
const answer: AttestationAnswerJson = {
  deviceId: b64('device', 16),
  attestation: encodeBase64Url(new Uint8Array(300).fill(7)),
  issuedAt: 1_764_158_400,
  expiresAt: 1_764_763_200,
  renewAfter: 1_764_460_800,
  org,
};

describe('the admin API JSON schemas (admin-api.md), shared by the admin app and the web client', () => {
  it('binary fields parse to the bytes their canonical base64url names (§1)', () => {
    const parsed = attestationAnswerSchema.parse(answer);
    expect(parsed.deviceId).toEqual(bytesOf('device', 16));
    expect(parsed.org.keys[0]?.publicKey).toEqual(bytesOf('key', 32));
  });

  it.each([
    ['padding', `${b64('device', 16)}==`],
    ['the standard alphabet', Buffer.from(new Uint8Array(16).fill(0xfb)).toString('base64').replace(/=+$/, '')],
    ['non-canonical trailing bits', b64('device', 16).slice(0, -1) + 'B'],
    ['the wrong length', b64('device', 15)],
    ['white space', ` ${b64('device', 16)}`],
  ])('a binary field with %s is refused', (_what, deviceId) => {
    expect(attestationAnswerSchema.safeParse({ ...answer, deviceId }).success).toBe(false);
  });

  it('a field of bounded length refuses empty and oversized values', () => {
    const field = base64UrlField(undefined, 4);
    expect(field.safeParse('').success).toBe(false);
    expect(field.safeParse(encodeBase64Url(new Uint8Array(5))).success).toBe(false);
    expect(field.parse(encodeBase64Url(new Uint8Array(4)))).toHaveLength(4);
  });

  it('unknown keys are refused everywhere (§3.3, §4.3, §7.3, §9.1)', () => {
    expect(attestationAnswerSchema.safeParse({ ...answer, extra: 1 }).success).toBe(false);
    expect(orgDocumentSchema.safeParse({ ...org, keys: [{ ...org.keys[0], trusted: true }] }).success).toBe(false);
    expect(lookupAnswerSchema.safeParse({ address: 'bob@example.org', devices: [], more: [] }).success).toBe(false);
    const lookup: LookupPayloadJson = {
      ...common,
      type: 'lookup',
      orgId: b64('org', 16),
      deviceId: b64('device', 16),
      address: 'bob@example.org',
    };
    expect(lookupPayloadSchema.parse(lookup).address).toBe('bob@example.org');
    expect(lookupPayloadSchema.safeParse({ ...lookup, limit: 100 }).success).toBe(false);
  });

  it('an attestation answer whose times are out of order is refused (§4.3)', () => {
    expect(attestationAnswerSchema.safeParse({ ...answer, issuedAt: answer.expiresAt + 1 }).success).toBe(false);
    expect(attestationAnswerSchema.safeParse({ ...answer, renewAfter: answer.expiresAt + 1 }).success).toBe(false);
    expect(attestationAnswerSchema.safeParse({ ...answer, issuedAt: 1.5 }).success).toBe(false);
  });

  it('a payload of another version or type is refused by the schema of its endpoint (§3.3)', () => {
    const enrol = { ...common, type: 'enrol', code: 'X', signingKey: b64('s', 32), agreementKey: b64('a', 32) };
    expect(enrolPayloadSchema.safeParse(enrol).success).toBe(true);
    expect(enrolPayloadSchema.safeParse({ ...enrol, v: 2 }).success).toBe(false);
    expect(enrolPayloadSchema.safeParse({ ...enrol, type: 'renew' }).success).toBe(false);
    expect(enrolPayloadSchema.safeParse({ ...enrol, nonce: b64('nonce', 15) }).success).toBe(false);
  });

  it('a token request batch holds 1 to 20 requests of 259 bytes (§11.2)', () => {
    const request = encodeBase64Url(new Uint8Array(TOKEN_REQUEST_LENGTH));
    const tokens = (requests: string[]) => ({
      ...common,
      type: 'tokens',
      orgId: b64('org', 16),
      deviceId: b64('d', 16),
      tokenKeyId: b64('k', 32),
      requests,
    });
    expect(tokensPayloadSchema.safeParse(tokens([request])).success).toBe(true);
    expect(tokensPayloadSchema.safeParse(tokens([])).success).toBe(false);
    expect(
      tokensPayloadSchema.safeParse(tokens(Array.from({ length: MAX_TOKENS_PER_REQUEST + 1 }, () => request))).success,
    ).toBe(false);
    // A request of the wrong size is named by its index, as the admin app's refusal does.
    expect(
      tokensPayloadSchema.safeParse(tokens([request, encodeBase64Url(new Uint8Array(TOKEN_REQUEST_LENGTH - 1))])).error
        ?.issues[0]?.path,
    ).toEqual(['requests', 1]);
  });

  it('the body of a signed request: payload string, 64-byte signature, optional attestation, nothing else (§3.1)', () => {
    const body = { payload: '{"v":1}', signature: b64('sig', 64) };
    expect(signedRequestBodySchema().parse(body).signature).toEqual(bytesOf('sig', 64));
    expect(signedRequestBodySchema().parse({ ...body, attestation: b64('att', 200) }).attestation).toEqual(
      bytesOf('att', 200),
    );
    expect(signedRequestBodySchema().safeParse({ ...body, signature: b64('sig', 63) }).success).toBe(false);
    expect(signedRequestBodySchema().safeParse({ ...body, cookie: 'x' }).success).toBe(false);
    expect(signedRequestBodySchema().safeParse({ ...body, attestation: 'A'.repeat(1025) }).success).toBe(false);
    expect(signedRequestBodySchema(10).safeParse({ ...body, payload: 'x'.repeat(11) }).success).toBe(false);
  });
});
