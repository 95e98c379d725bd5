/**
 * Another member's Sender Key as this device keeps it (received-group-keys.ts, crypto.md §12.4):
 * after the sender rotates (a member removed, a device revoked), its group messages sent just
 * before the rotation are still in flight; they were sealed under the previous fan-out key and
 * encrypted under the previous chain, and still open here for PREVIOUS_CHAIN_LIFETIME_MS.
 */
import {
  MAX_PREVIOUS_SENDER_CHAINS,
  PREVIOUS_CHAIN_LIFETIME_MS,
  createSenderKey,
  deserializeSenderKeyReceiverState,
  groupDecrypt,
  groupEncrypt,
  randomBytes,
  rotateSenderKey,
  senderKeyDistribution,
  type SenderKeyState,
} from '@opendescent/crypto';
import { fanoutKeysOf, receiveDistribution } from '../../src/messenger/received-group-keys';
import type { ReceivedGroupKey } from '../../src/messenger/records';

const GROUP = 'a'.repeat(32);
const T0 = Date.UTC(2026, 11, 5);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytesOf = (value: string) => new TextEncoder().encode(value);

/** The sender's side: its state and its current fan-out key. */
async function sender(): Promise<{ state: SenderKeyState; fanoutKey: Uint8Array }> {
  return { state: await createSenderKey(randomBytes(16)), fanoutKey: randomBytes(32) };
}

function distribute(
  held: ReceivedGroupKey | undefined,
  from: { state: SenderKeyState; fanoutKey: Uint8Array },
  now: number,
): ReceivedGroupKey {
  return receiveDistribution(held, GROUP, senderKeyDistribution(from.state).exposeBytes(), from.fanoutKey, now);
}

async function open(held: ReceivedGroupKey, message: Uint8Array, now: number): Promise<string> {
  const { plaintext } = await groupDecrypt(deserializeSenderKeyReceiverState(held.state, now), message, undefined, now);
  return text(plaintext);
}

test('a group message sent just before the sender rotated still opens after its new keys arrived', async () => {
  const alice = await sender();
  let held = distribute(undefined, alice, T0);
  const inFlight = await groupEncrypt(alice.state, bytesOf('sent before the rotation'));
  const rotated = { state: await rotateSenderKey(inFlight.state), fanoutKey: randomBytes(32) };
  held = distribute(held, rotated, T0 + 1_000);
  // Sealed under the previous fan-out key: still among the keys tried, after the current one.
  expect(fanoutKeysOf(held, T0 + 2_000)).toEqual([rotated.fanoutKey, alice.fanoutKey]);
  expect(await open(held, inFlight.message, T0 + 2_000)).toBe('sent before the rotation');
  const after = await groupEncrypt(rotated.state, bytesOf('sent after'));
  expect(await open(held, after.message, T0 + 3_000)).toBe('sent after');
});

test('expired: a previous fan-out key is no longer tried PREVIOUS_CHAIN_LIFETIME_MS after it was replaced', async () => {
  const alice = await sender();
  let held = distribute(undefined, alice, T0);
  const rotated = { state: await rotateSenderKey(alice.state), fanoutKey: randomBytes(32) };
  held = distribute(held, rotated, T0);
  expect(fanoutKeysOf(held, T0 + PREVIOUS_CHAIN_LIFETIME_MS - 1)).toHaveLength(2);
  expect(fanoutKeysOf(held, T0 + PREVIOUS_CHAIN_LIFETIME_MS)).toEqual([rotated.fanoutKey]);
});

test('at most MAX_PREVIOUS_SENDER_CHAINS previous fan-out keys are kept, the newest', async () => {
  let current = await sender();
  let held = distribute(undefined, current, T0);
  const replaced: Uint8Array[] = [];
  for (let i = 1; i <= MAX_PREVIOUS_SENDER_CHAINS + 2; i++) {
    replaced.unshift(current.fanoutKey);
    current = { state: await rotateSenderKey(current.state), fanoutKey: randomBytes(32) };
    held = distribute(held, current, T0 + i);
  }
  expect(fanoutKeysOf(held, T0 + 100)).toEqual([current.fanoutKey, ...replaced.slice(0, MAX_PREVIOUS_SENDER_CHAINS)]);
});

test('replayed: the same distribution again keeps the keys as they are', async () => {
  const alice = await sender();
  const held = distribute(undefined, alice, T0);
  const again = distribute(held, alice, T0 + 5);
  expect(fanoutKeysOf(again, T0 + 10)).toEqual([alice.fanoutKey]);
  const message = await groupEncrypt(alice.state, bytesOf('once'));
  expect(await open(again, message.message, T0 + 10)).toBe('once');
});
