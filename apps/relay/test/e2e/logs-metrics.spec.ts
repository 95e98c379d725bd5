/** Nothing to drain (relay.md §10): logs and metrics carry events, codes, counts and latencies only. */
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import {
  RelayClient,
  blobOf,
  newDeviceId,
  newOrg,
  relayConfig,
  revocationList,
  type TestOrg,
} from '../support/relay-client';

let org: TestOrg;
let relay: RunningRelay;
const lines: string[] = [];

beforeAll(async () => {
  org = await newOrg();
  relay = await startRelay(relayConfig(org, { RELAY_LOG_LEVEL: 'trace' }), {
    logDestination: { write: (line: string) => void lines.push(line) },
  });
});
afterAll(async () => {
  await relay.app.close();
});

describe('logs and metrics', () => {
  it('log lines are JSON and never carry a token, an id, a key, an address or a payload', async () => {
    const token = await org.issuer.mint(new URL(relay.url).host);
    const client = await RelayClient.connect(relay.url);
    expect((await client.helloWith(token)).ok).toBe(true);
    const queue = await client.createQueue();
    await client.subscribe(queue);
    await client.put(queue.senderId, blobOf('secret payload text'));
    await client.until(() => client.deliveries.length === 1);
    const messageId = client.deliveries[0]?.messageId as Uint8Array;
    await client.ack(queue, [messageId]);
    await client.put(new Uint8Array(16).fill(0xab), blobOf('to nowhere'));
    const revoked = newDeviceId();
    const refused = await RelayClient.connect(relay.url);
    await refused.helloWith(token); // token_spent, logged by code only
    refused.close();
    const pusher = await RelayClient.connect(relay.url);
    await pusher.pushRevocationList(await revocationList(org, 3, [revoked]));
    await client.until(() => client.revocationLists.length === 1);
    pusher.close();
    client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(lines.length).toBeGreaterThan(3);
    const text = lines.join('');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const forbidden = [
      token,
      token.subarray(2, 34),
      token.subarray(token.length - 32),
      revoked,
      queue.recipientId,
      queue.senderId,
      messageId,
      queue.key.publicKey,
      new Uint8Array(16).fill(0xab),
    ];
    for (const bytes of forbidden) {
      const buffer = Buffer.from(bytes);
      for (const encoding of ['hex', 'base64', 'base64url'] as const)
        expect(text).not.toContain(buffer.toString(encoding));
    }
    for (const plain of ['secret payload text', 'to nowhere', '127.0.0.1:']) expect(text).not.toContain(plain);
    expect(text).toContain('revocation_list_accepted');
    expect(text).toContain('token_key_set_accepted');
  });

  it('/metrics serves Prometheus counts and latencies with fixed labels only', async () => {
    const token = await org.issuer.mint(new URL(relay.url).host);
    const client = await RelayClient.connect(relay.url);
    expect((await client.helloWith(token)).ok).toBe(true);
    const spent = await RelayClient.connect(relay.url);
    await spent.helloWith(token);
    spent.close();
    const list = await revocationList(org, 4, [newDeviceId()]);
    await client.pushRevocationList(list);
    await client.until(() =>
      client.revocationLists.some((forwarded) => Buffer.from(forwarded).equals(Buffer.from(list))),
    );
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
    expect(body).toMatch(/relay_frames_total\{command="hello",result="ok"\} [1-9]/);
    expect(body).toMatch(/relay_frames_total\{command="hello",result="token_spent"\} [1-9]/);
    expect(body).toMatch(/relay_revocation_forwards_total [1-9]/);
    expect(body).not.toContain(Buffer.from(queue.recipientId).toString('hex'));
    expect(body).not.toContain('not_a_command');
    client.close();
  });
});
