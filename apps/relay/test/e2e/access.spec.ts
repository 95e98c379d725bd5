/** Attested access (relay.md §3.2) against the booted relay, one refusal per error code. */
import { encodeHello, encodePut } from '@opendescent/protocol';
import { Manager } from 'socket.io-client';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { RelayClient, generateEd25519KeyPair, errorOf, newDevice, newOrg, nowSeconds, relayConfig, revocationList, type TestOrg } from '../support/relay-client';

let org: TestOrg;
let relay: RunningRelay;
const clients: RelayClient[] = [];

beforeAll(async () => {
  org = await newOrg();
  relay = await startRelay(relayConfig(org, { RELAY_HELLO_TIMEOUT_SECONDS: '1' }));
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await relay.app.close();
});

async function connect(): Promise<RelayClient> {
  const client = await RelayClient.connect(relay.url);
  clients.push(client);
  return client;
}

describe('attested access', () => {
  it('lets in a device with a valid attestation and a signature over this connection’s challenge', async () => {
    const client = await connect();
    expect(await client.hello(await newDevice(org))).toEqual({ ok: true, requestId: 1, command: 'hello' });
  });

  it('not_authenticated: any queue command before hello, and nothing changes', async () => {
    const client = await connect();
    const reply = await client.request('put', encodePut({ requestId: 7, senderId: new Uint8Array(16), blob: new Uint8Array(4) }));
    expect(reply).toMatchObject({ ok: false, requestId: 7, command: 'put', error: 'not_authenticated' });
  });

  it('already_authenticated: a second hello, and the connection stays open', async () => {
    const device = await newDevice(org);
    const client = await connect();
    await client.hello(device);
    expect(errorOf(await client.hello(device))).toBe('already_authenticated');
    expect(client.socket.connected).toBe(true);
  });

  describe('refusals, each with its own code, each closing the connection', () => {
    async function refusal(device: Awaited<ReturnType<typeof newDevice>>, tamper?: (frame: Uint8Array) => Uint8Array): Promise<string> {
      const client = await connect();
      const frame = await encodeHello({ requestId: 1, attestation: device.attestation }, client.challenge, device.key.privateKey);
      const closed = client.disconnected();
      const reply = await client.request('hello', tamper ? tamper(frame) : frame);
      await closed;
      return errorOf(reply);
    }

    it('attestation_malformed: bytes that are not an attestation', async () => {
      const device = await newDevice(org);
      expect(await refusal({ ...device, attestation: new Uint8Array(40).fill(1) })).toBe('attestation_malformed');
    });

    it('attestation_malformed: an attestation of an unknown version', async () => {
      const device = await newDevice(org);
      const attestation = device.attestation.slice();
      attestation[0] = 9;
      expect(await refusal({ ...device, attestation })).toBe('attestation_malformed');
    });

    it('attestation_unknown_signer: signed by a key this relay does not pin', async () => {
      const rogue = await generateEd25519KeyPair();
      expect(await refusal(await newDevice(org, { signer: rogue }))).toBe('attestation_unknown_signer');
    });

    it('attestation_unknown_signer: an attestation of another organisation', async () => {
      expect(await refusal(await newDevice(await newOrg()))).toBe('attestation_unknown_signer');
    });

    it('attestation_bad_signature: a byte of the attestation changed after signing', async () => {
      const device = await newDevice(org);
      const attestation = device.attestation.slice();
      const at = attestation.length - 70; // inside the display name
      attestation[at] = (attestation[at] as number) ^ 1;
      expect(await refusal({ ...device, attestation })).toBe('attestation_bad_signature');
    });

    it('attestation_expired: past its validity', async () => {
      const issuedAt = nowSeconds() - 7200;
      expect(await refusal(await newDevice(org, { issuedAt, expiresAt: issuedAt + 3600 }))).toBe('attestation_expired');
    });

    it('attestation_not_yet_valid: issued beyond the allowed clock skew', async () => {
      expect(await refusal(await newDevice(org, { issuedAt: nowSeconds() + 3600 }))).toBe('attestation_not_yet_valid');
    });

    it('challenge_signature_invalid: signed by another key than the attested one', async () => {
      const device = await newDevice(org);
      const thief = await generateEd25519KeyPair();
      expect(await refusal({ ...device, key: thief })).toBe('challenge_signature_invalid');
    });

    it('challenge_signature_invalid: a hello replayed from another connection', async () => {
      const device = await newDevice(org);
      const first = await connect();
      const replayed = await encodeHello({ requestId: 1, attestation: device.attestation }, first.challenge, device.key.privateKey);
      expect(await refusal(device, () => replayed)).toBe('challenge_signature_invalid');
    });

    it('device_revoked: named in the current revocation list', async () => {
      const device = await newDevice(org);
      const pusher = await connect();
      expect((await pusher.pushRevocationList(await revocationList(org, 100, [device.deviceId]))).ok).toBe(true);
      expect(await refusal(device)).toBe('device_revoked');
    });
  });

  it('hello_timeout: a connection that never says hello is told and closed', async () => {
    const client = await connect();
    const reason = await client.disconnected();
    expect(reason).toBe('io server disconnect');
    expect(client.notices.map((n) => n.error)).toEqual(['hello_timeout']);
  });

  it('a transport that never joins (no socket.io CONNECT packet) is dropped at the hello timeout, not after socket.io\'s 45 s', async () => {
    const manager = new Manager(relay.url, { transports: ['websocket'], reconnection: false, autoConnect: false });
    await new Promise<void>((resolve, reject) => manager.open((error) => (error ? reject(error) : resolve())));
    const opened = Date.now();
    const closed = new Promise<number>((resolve) => manager.engine.on('close', () => resolve(Date.now())));
    // RELAY_HELLO_TIMEOUT_SECONDS is 1 here; socket.io's own connectTimeout would be 45 s.
    const closedAt = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(Number.POSITIVE_INFINITY), 8_000))]);
    manager.engine?.close();
    expect(closedAt - opened).toBeLessThan(8_000);
  }, 15_000);

  it('attestation_expired: a live connection is closed when its attestation runs out', async () => {
    const device = await newDevice(org, { issuedAt: nowSeconds() - 60, expiresAt: nowSeconds() + 2 });
    const client = await connect();
    expect((await client.hello(device)).ok).toBe(true);
    await client.disconnected();
    expect(client.notices.map((n) => n.error)).toEqual(['attestation_expired']);
  }, 10_000);
});
