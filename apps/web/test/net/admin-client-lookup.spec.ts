/**
 * What a directory look-up tells the person (docs/protocol/admin-api.md §7, §8): each refusal
 * its own code, a malformed address refused before it costs a look-up, and an empty answer that
 * claims no more than the directory knows.
 */
import { randomBytes } from 'node:crypto';
import { generateDeviceIdentity, type DeviceIdentity } from '@opendescent/crypto';
import { AdminClient, AdminRequestError, LOOKUP_REFUSAL_CODES, isLookupRefusal } from '../../src/net/admin-client';

const orgId = new Uint8Array(randomBytes(16));
const deviceId = new Uint8Array(randomBytes(16));
const attestation = new Uint8Array(randomBytes(300));
let identity: DeviceIdentity;
beforeAll(async () => {
  identity = await generateDeviceIdentity();
});

/** An injected fetch answering every request with `status` and `body`, counting the requests. */
function answering(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): { fetch: typeof fetch; sent: () => number } {
  let sent = 0;
  const fake: typeof fetch = async () => {
    sent++;
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
  };
  return { fetch: fake, sent: () => sent };
}

async function lookUp(client: AdminClient, address: string): Promise<unknown> {
  try {
    return await client.lookup({ orgId, deviceId, attestation, identity, address });
  } catch (error) {
    return error;
  }
}

describe('AdminClient.lookup(): what happened, each with its own code', () => {
  it.each([
    ['an empty query', ''],
    ['a bare domain', 'example.org'],
    ['a wildcard', '*@example.org'],
    ['a Cyrillic look-alike letter', 'b\u043eb@example.org'],
    ['two @', 'bob@bob@example.org'],
  ])('invalid_address: %s is refused before anything is sent, so it costs no look-up', async (_what, address) => {
    const server = answering(200, { address: 'bob@example.org', devices: [] });
    const error = await lookUp(new AdminClient('https://admin.example.org', { fetch: server.fetch }), address);
    expect(error).toBeInstanceOf(AdminRequestError);
    expect(error).toMatchObject({
      status: 0,
      code: 'invalid_address',
      message: expect.stringMatching(/^the address /),
    });
    expect(isLookupRefusal(error)).toBe(true);
    expect(server.sent()).toBe(0);
  });

  it('the address is checked as the admin app folds it: case and pasted white space are no refusal', async () => {
    const server = answering(200, { address: 'bob@example.org', devices: [] });
    await expect(
      new AdminClient('https://admin.example.org', { fetch: server.fetch }).lookup({
        orgId,
        deviceId,
        attestation,
        identity,
        address: ' Bob@Example.ORG\n',
      }),
    ).resolves.toEqual({
      address: 'bob@example.org',
      devices: [],
    });
    expect(server.sent()).toBe(1);
  });

  it.each([
    [400, 'invalid_address', 'a malformed address (the server checks it again)'],
    [429, 'rate_limited', 'not allowed now: too many look-ups'],
    [403, 'directory_suspended', 'not allowed now: suspended until an administrator resumes it'],
    [403, 'device_revoked', 'not allowed: this device was revoked'],
  ])('%i %s is a look-up refusal of its own (%s)', async (status, code) => {
    const server = answering(
      status,
      { error: code, message: 'for people' },
      status === 429 ? { 'Retry-After': '60' } : {},
    );
    const error = await lookUp(
      new AdminClient('https://admin.example.org', { fetch: server.fetch }),
      'bob@example.org',
    );
    expect(error).toMatchObject({ status, code });
    expect(isLookupRefusal(error)).toBe(true);
    if (code === 'rate_limited') expect(error).toMatchObject({ retryAfterSeconds: 60 });
  });

  it('the refusal codes are distinct, and other failures are not look-up refusals', async () => {
    expect(new Set(LOOKUP_REFUSAL_CODES).size).toBe(LOOKUP_REFUSAL_CODES.length);
    const server = answering(401, { error: 'attestation_invalid', message: 'expired' });
    const error = await lookUp(
      new AdminClient('https://admin.example.org', { fetch: server.fetch }),
      'bob@example.org',
    );
    expect(error).toMatchObject({ code: 'attestation_invalid' });
    expect(isLookupRefusal(error)).toBe(false);
    expect(isLookupRefusal(new Error('rate_limited'))).toBe(false);
  });

  it('no enrolled device found: an unknown address and a member without a device are the same empty answer (§7.3)', async () => {
    const server = answering(200, { address: 'nobody@example.org', devices: [] });
    const answer = await lookUp(
      new AdminClient('https://admin.example.org', { fetch: server.fetch }),
      'nobody@example.org',
    );
    expect(answer).toEqual({ address: 'nobody@example.org', devices: [] });
  });
});
