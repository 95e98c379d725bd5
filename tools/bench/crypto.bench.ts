/**
 * `npm run bench:crypto`: the cryptographic core's throughput on this machine, written to
 * bench-results/crypto.json and bench-results/crypto.md. Issue 3's targets: steady-state ratchet
 * >= 15,000 messages/s, ping-pong >= 2,000 messages/s, a group send to 1,000 members <= 50 ms; the
 * raw XChaCha20-Poly1305 rate is reported beside Node's native ChaCha20-Poly1305 from the same run
 * as the baseline. Each figure is the median of several timed rounds after a warm-up.
 */
import { createCipheriv, randomBytes as nodeRandomBytes } from 'node:crypto';
import os from 'node:os';
import { benchMachine, measuredLine, writeBenchResults } from './bench-output';
import {
  activeCurveBackends,
  claimPrekeyBundle,
  createPrekeyState,
  createSenderKey,
  generateDeviceIdentity,
  generateX25519KeyPair,
  groupEncrypt,
  initiateHandshake,
  publicDeviceIdentity,
  publishedPrekeys,
  randomBytes,
  ratchetDecrypt,
  ratchetEncrypt,
  respondToHandshake,
  seal,
  SecretBytes,
  setCurveBackend,
  startInitiatorSession,
  startResponderSession,
  x25519SharedSecret,
  type SessionState,
} from '@opendescent/crypto';
import {
  MAX_PUT_MANY_ENTRIES,
  SHARED_ID_LENGTH,
  encodePutMany,
  encodePutShared,
  sealFanoutEnvelope,
  sealFanoutPointer,
} from '@opendescent/protocol';

interface Result {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly target?: string;
  readonly met?: boolean;
}

const ROUNDS = 5;
const results: Result[] = [];

/** Runs `op` repeatedly for about `ms` per round and returns the median rate in ops/s. */
async function rate(op: () => Promise<unknown> | unknown, { ms = 400, batch = 1 } = {}): Promise<number> {
  const end = performance.now() + 150;
  while (performance.now() < end) await op(); // warm-up
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let count = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      await op();
      count += batch;
    }
    rates.push((count * 1000) / (performance.now() - start));
  }
  return rates.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] as number;
}

function record(result: Result): void {
  results.push(result);
  const target = result.target ? `  (target ${result.target}: ${result.met ? 'met' : 'MISSED'})` : '';
  console.log(
    `${result.name.padEnd(58)} ${result.value.toFixed(result.value < 100 ? 2 : 0).padStart(10)} ${result.unit}${target}`,
  );
}

async function sessionPair(): Promise<{ alice: SessionState; bob: SessionState }> {
  const sharedSecret = new SecretBytes(randomBytes(32), 'bench SK');
  const associatedData = randomBytes(128);
  const bobRatchet = await generateX25519KeyPair();
  const alice = await startInitiatorSession({ sharedSecret, associatedData, remoteRatchetKey: bobRatchet.publicKey });
  const bob = startResponderSession({ sharedSecret, associatedData, ratchetKeyPair: bobRatchet });
  return { alice, bob };
}

async function main(): Promise<void> {
  setCurveBackend('auto');
  const backends = await activeCurveBackends();
  console.log(`curve backends: ${JSON.stringify(backends)}; node ${process.version}; ${os.cpus().length} cores\n`);
  const kib = randomBytes(1024);

  // Raw AEAD: ours (noble XChaCha20-Poly1305, random nonce) beside Node's native ChaCha20-Poly1305.
  const key = randomBytes(32);
  const nodeKey = nodeRandomBytes(32);
  const ours = await rate(() => seal(key, kib, new Uint8Array(0)));
  const native = await rate(() => {
    const cipher = createCipheriv('chacha20-poly1305', nodeKey, nodeRandomBytes(12), { authTagLength: 16 });
    cipher.update(kib);
    cipher.final();
    cipher.getAuthTag();
  });
  record({ name: 'XChaCha20-Poly1305 seal, 1 KiB (@noble/ciphers)', unit: 'ops/s', value: ours });
  record({ name: 'ChaCha20-Poly1305, 1 KiB (Node native, baseline)', unit: 'ops/s', value: native });
  record({ name: 'noble XChaCha20 / native ChaCha20 ratio', unit: '', value: ours / native });

  const a = await generateX25519KeyPair();
  const b = await generateX25519KeyPair();
  record({
    name: 'X25519 DH (one at a time)',
    unit: 'ops/s',
    value: await rate(() => x25519SharedSecret(a.privateKey, b.publicKey)),
  });

  // Handshake: the initiator's and the responder's side, one full exchange per op.
  const alice = await generateDeviceIdentity();
  const bob = await generateDeviceIdentity();
  const now = Date.now();
  let prekeys = await createPrekeyState(bob, { now, count: 1000 });
  let published = publishedPrekeys(prekeys, now);
  const handshakes = await rate(async () => {
    if (published.oneTimePrekeys.length === 0) {
      prekeys = await createPrekeyState(bob, { now, count: 1000 });
      published = publishedPrekeys(prekeys, now);
    }
    const claimed = claimPrekeyBundle(published);
    published = claimed.remaining;
    const initiated = await initiateHandshake({
      identity: alice,
      responder: publicDeviceIdentity(bob),
      bundle: claimed.bundle,
      now,
    });
    const responded = await respondToHandshake({ identity: bob, prekeys, initiation: initiated.initiation, now });
    prekeys = responded.prekeys;
  });
  record({ name: 'handshake (initiator + responder, with one-time prekey)', unit: 'ops/s', value: handshakes });

  // Steady state: one direction, encrypt + decrypt of a 1 KiB message.
  {
    let { alice: sender, bob: receiver } = await sessionPair();
    const steady = await rate(async () => {
      const sent = ratchetEncrypt(sender, kib);
      sender = sent.state;
      receiver = (await ratchetDecrypt(receiver, sent.message)).state;
    });
    record({
      name: 'ratchet steady state: encrypt + decrypt 1 KiB',
      unit: 'msg/s',
      value: steady,
      target: '>= 15000',
      met: steady >= 15_000,
    });
  }

  // Ping-pong: the direction alternates, so every message carries a DH ratchet step.
  {
    let { alice: left, bob: right } = await sessionPair();
    let leftToRight = true;
    const pingPong = await rate(async () => {
      if (leftToRight) {
        const sent = ratchetEncrypt(left, kib);
        left = sent.state;
        right = (await ratchetDecrypt(right, sent.message)).state;
      } else {
        const sent = ratchetEncrypt(right, kib);
        right = sent.state;
        left = (await ratchetDecrypt(left, sent.message)).state;
      }
      leftToRight = !leftToRight;
    });
    record({
      name: 'ratchet ping-pong (DH step per message), 1 KiB',
      unit: 'msg/s',
      value: pingPong,
      target: '>= 2000',
      met: pingPong >= 2000,
    });
  }

  // Group send to 1,000 member devices (issue 14 items 6-7). What the client does from 8 devices
  // on (messages.md §4): one Sender Key encryption, one fan-out envelope stored once on the relay
  // (put_shared), then one 65-byte pointer sealed per device (envelopes.md §7). The baseline, from
  // the same run: a sealed fan-out envelope per device (what small groups still do). The issue
  // names no message size: a chat line (100 bytes) fills the 1 KiB bucket, a 1 KiB message the 4 KiB one.
  for (const [label, size] of [
    ['100-byte message', 100],
    ['1 KiB message', 1024],
  ] as const) {
    let sender = await createSenderKey(randomBytes(16));
    const fanoutKey = randomBytes(32);
    const devices = 1000;
    const message = randomBytes(size);
    const copies = await rate(
      async () => {
        const encrypted = await groupEncrypt(sender, message);
        sender = encrypted.state;
        for (let i = 0; i < devices; i++) sealFanoutEnvelope(fanoutKey, encrypted.message);
      },
      { ms: 1500 },
    );
    const pointers = await rate(
      async () => {
        const encrypted = await groupEncrypt(sender, message);
        sender = encrypted.state;
        sealFanoutEnvelope(fanoutKey, encrypted.message);
        const sharedId = randomBytes(SHARED_ID_LENGTH); // drawn by the relay in the client's case
        for (let i = 0; i < devices; i++) sealFanoutPointer(fanoutKey, sharedId);
      },
      { ms: 1500 },
    );
    record({
      name: `group send to 1,000 devices, ${label}, a sealed copy each (baseline)`,
      unit: 'ms',
      value: 1000 / copies,
    });
    const ms = 1000 / pointers;
    record({
      name: `group send to 1,000 devices, ${label}, stored once + pointers`,
      unit: 'ms',
      value: ms,
      target: '<= 50 ms',
      met: ms <= 50,
    });
    // Bytes the sender uploads: the real frames (put_many of at most 256 entries, put_shared).
    const encrypted = await groupEncrypt(sender, message);
    sender = encrypted.state;
    const envelope = sealFanoutEnvelope(fanoutKey, encrypted.message);
    const framed = (blobs: readonly Uint8Array[]) => {
      let total = 0;
      for (let at = 0; at < blobs.length; at += MAX_PUT_MANY_ENTRIES) {
        const entries = blobs
          .slice(at, at + MAX_PUT_MANY_ENTRIES)
          .map((blob) => ({ senderId: randomBytes(SHARED_ID_LENGTH), blob }));
        total += encodePutMany({ requestId: 1, entries }).length;
      }
      return total;
    };
    const copyBytes = framed(Array.from({ length: devices }, () => sealFanoutEnvelope(fanoutKey, encrypted.message)));
    const sharedId = randomBytes(SHARED_ID_LENGTH);
    const pointerBytes =
      encodePutShared({ requestId: 1, blob: envelope }).length +
      framed(Array.from({ length: devices }, () => sealFanoutPointer(fanoutKey, sharedId)));
    record({
      name: `bytes uploaded to 1,000 devices, ${label}, a sealed copy each (baseline)`,
      unit: 'bytes',
      value: copyBytes,
    });
    record({
      name: `bytes uploaded to 1,000 devices, ${label}, stored once + pointers`,
      unit: 'bytes',
      value: pointerBytes,
      target: '<= 100,000',
      met: pointerBytes <= 100_000,
    });
  }

  const machine = benchMachine(backends);
  const measuredAt = new Date().toISOString();
  const table = results.map(
    (r) =>
      `| ${r.name} | ${r.value.toFixed(r.value < 100 ? 2 : 0)} ${r.unit} | ${r.target ?? ''} | ${r.target ? (r.met ? 'met' : '**missed**') : ''} |`,
  );
  writeBenchResults(
    'crypto',
    { measuredAt, machine, results },
    [
      `# bench:crypto`,
      '',
      measuredLine(measuredAt, machine),
      '',
      '| measurement | result | target | |',
      '|---|---|---|---|',
      ...table,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
