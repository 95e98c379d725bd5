/** Nothing to drain (relay.md §10): logs and metrics carry events, codes, counts and latencies only. */
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { RelayClient, blobOf, newDevice, newOrg, relayConfig, revocationList, type TestOrg } from '../support/relay-client';

let org: TestOrg;
let relay: RunningRelay;
const lines: string[] = [];

beforeAll(async () => {
  org = await newOrg();
  relay = await startRelay(relayConfig(org, { RELAY_LOG_LEVEL: 'trace' }), { logDestination: { write: (line: string) => void lines.push(line) } });
});
afterAll(async () => {
  await relay.app.close();
});

describe('logs and metrics', () => {
  it('log lines are JSON and never carry an id, a key, an address or a payload', async () => {
    const device = await newDevice(org, { userAddress: 'log.probe@ministry.example' });
    const client = await RelayClient.signedIn(relay.url, device);
    const queue = await client.createQueue();
    await client.subscribe(queue);
    await client.put(queue.senderId, blobOf('secret payload text'));
    await client.until(() => client.deliveries.length === 1);
    const messageId = client.deliveries[0]?.messageId as Uint8Array;
    await client.ack(queue, [messageId]);
    await client.put(new Uint8Array(16).fill(0xab), blobOf('to nowhere'));
    const closed = client.disconnected();
    const pusher = await RelayClient.connect(relay.url);
    await pusher.pushRevocationList(await revocationList(org, 3, [device.deviceId]));
    await closed;
    pusher.close();
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(lines.length).toBeGreaterThan(3);
    const text = lines.join('');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const forbidden = [device.deviceId, queue.recipientId, queue.senderId, messageId, device.key.publicKey, queue.key.publicKey, new Uint8Array(16).fill(0xab)];
    for (const bytes of forbidden) {
      const buffer = Buffer.from(bytes);
      for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(text).not.toContain(buffer.toString(encoding));
    }
    for (const plain of ['log.probe@ministry.example', 'secret payload text', 'to nowhere', '127.0.0.1:']) expect(text).not.toContain(plain);
    expect(text).toContain('revocation_list_accepted');
  });

  it('/metrics serves Prometheus counts and latencies with fixed labels only', async () => {
    const client = await RelayClient.signedIn(relay.url, await newDevice(org));
    const queue = await client.createQueue();
    await client.put(queue.senderId, blobOf('counted'));
    client.socket.emit('not_a_command', new Uint8Array(4));
    await client.until(() => client.replies.length === 1);
    const response = await fetch(`${relay.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const body = await response.text();
    expect(body).toMatch(/relay_frames_total\{command="put",result="ok"\} [1-9]/);
    expect(body).toMatch(/relay_frames_total\{command="unknown",result="unknown_command"\} 1/);
    expect(body).toContain('relay_frame_seconds_bucket');
    expect(body).toMatch(/relay_connections \d/);
    expect(body).not.toContain(Buffer.from(queue.recipientId).toString('hex'));
    expect(body).not.toContain('not_a_command');
    client.close();
  });
});
