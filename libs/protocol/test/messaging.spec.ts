import { generateEd25519KeyPair, RATCHET_MESSAGE_OVERHEAD } from '@opendescent/crypto';
import {
  HANDSHAKE_INITIATION_BYTES,
  MAX_APP_PAYLOAD_BYTES,
  MAX_HISTORY_BUNDLE_CHARACTERS,
  signHistoryBundle,
  verifyHistoryBundle,
  decodePairwiseContent,
  encodeContactSlot,
  encodePairwiseContent,
  frameAppPayload,
  openContactSlot,
  unframeAppPayload,
} from '../src/index';
import { ProtocolError } from '../src/index';
import { expectGolden, goldenOrgKey, hex, labelled, protocolCode } from './support';

async function asyncCode(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProtocolError);
  return (error as ProtocolError).code;
}

/** docs/protocol/messages.md §2-§4. */
describe('contact slot (messages.md §2)', () => {
  test('round-trips and is bound to the owner identity key', async () => {
    const owner = await generateEd25519KeyPair();
    const slot = { bundle: labelled('bundle', 32), introSenderId: labelled('intro', 16) };
    const bytes = await encodeContactSlot(slot, owner.privateKey);
    expect(bytes.length).toBe(2 + 16 + 64 + 32);
    const opened = await openContactSlot(bytes, owner.publicKey);
    expect(hex(opened.bundle)).toBe(hex(slot.bundle));
    expect(hex(opened.introSenderId)).toBe(hex(slot.introSenderId));
  });

  test('golden vector', async () => {
    const key = await goldenOrgKey();
    const bytes = await encodeContactSlot(
      { bundle: labelled('golden bundle', 40), introSenderId: labelled('golden intro', 16) },
      key.privateKey,
    );
    expectGolden('contact-slot', { signingKey: hex(key.publicKey), bytes: hex(bytes) });
  });

  test('a relay that swaps the intro queue is caught: bad_signature', async () => {
    const owner = await generateEd25519KeyPair();
    const bytes = await encodeContactSlot(
      { bundle: labelled('bundle', 32), introSenderId: labelled('intro', 16) },
      owner.privateKey,
    );
    const swapped = bytes.slice();
    swapped[5] = (swapped[5] as number) ^ 1;
    expect(await asyncCode(openContactSlot(swapped, owner.publicKey))).toBe('bad_signature');
    const other = await generateEd25519KeyPair();
    expect(await asyncCode(openContactSlot(bytes, other.publicKey))).toBe('bad_signature');
  });

  test('malformed, truncated, oversized and unknown versions are refused by name', async () => {
    const owner = await generateEd25519KeyPair();
    const bytes = await encodeContactSlot(
      { bundle: labelled('bundle', 32), introSenderId: labelled('intro', 16) },
      owner.privateKey,
    );
    expect(await asyncCode(openContactSlot(bytes.slice(0, 82), owner.publicKey))).toBe('malformed');
    expect(await asyncCode(openContactSlot('text', owner.publicKey))).toBe('malformed');
    expect(await asyncCode(openContactSlot(new Uint8Array(10_000), owner.publicKey))).toBe('oversized');
    const newer = bytes.slice();
    newer[0] = 2;
    expect(await asyncCode(openContactSlot(newer, owner.publicKey))).toBe('version_unknown');
    const older = bytes.slice();
    older[0] = 0;
    expect(await asyncCode(openContactSlot(older, owner.publicKey))).toBe('version_too_old');
    const wrongType = bytes.slice();
    wrongType[1] = 0x03;
    expect(await asyncCode(openContactSlot(wrongType, owner.publicKey))).toBe('malformed');
  });
});

describe('pairwise content (messages.md §3)', () => {
  const ratchetMessage =
    labelled('ratchet', 32).length < RATCHET_MESSAGE_OVERHEAD
      ? new Uint8Array(RATCHET_MESSAGE_OVERHEAD + 5).fill(7)
      : labelled('ratchet', 32);

  test('initial and ratchet forms round-trip', () => {
    const initiation = new Uint8Array(HANDSHAKE_INITIATION_BYTES).fill(3);
    const initial = decodePairwiseContent(encodePairwiseContent({ kind: 'initial', initiation, ratchetMessage }));
    expect(initial.kind).toBe('initial');
    if (initial.kind !== 'initial') throw new Error('unreachable');
    expect(hex(initial.initiation)).toBe(hex(initiation));
    expect(hex(initial.ratchetMessage)).toBe(hex(ratchetMessage));
    const plain = decodePairwiseContent(encodePairwiseContent({ kind: 'ratchet', ratchetMessage }));
    expect(plain.kind).toBe('ratchet');
  });

  test('truncated ratchet message, unknown type and versions are refused', async () => {
    const bytes = encodePairwiseContent({ kind: 'ratchet', ratchetMessage });
    expect(protocolCode(() => decodePairwiseContent(bytes.slice(0, 10)))).toBe('malformed');
    const unknownType = bytes.slice();
    unknownType[1] = 0x42;
    expect(protocolCode(() => decodePairwiseContent(unknownType))).toBe('malformed');
    const newer = bytes.slice();
    newer[0] = 9;
    expect(protocolCode(() => decodePairwiseContent(newer))).toBe('version_unknown');
  });
});

describe('application payload frame (messages.md §4)', () => {
  test('a version byte in front; oversized and unknown versions refused', async () => {
    const json = new TextEncoder().encode('{"t":"receipt"}');
    expect(hex(unframeAppPayload(frameAppPayload(json)))).toBe(hex(json));
    expect(protocolCode(() => frameAppPayload(new Uint8Array(MAX_APP_PAYLOAD_BYTES + 1)))).toBe('oversized');
    expect(protocolCode(() => unframeAppPayload(Uint8Array.of(2, 0x7b)))).toBe('version_unknown');
    expect(protocolCode(() => unframeAppPayload(Uint8Array.of(1)))).toBe('malformed');
  });
});

describe('history bundle signature (messages.md §5.7)', () => {
  test('verifies over the exact text; another text, key or an oversized bundle is refused', async () => {
    const sharer = await generateEd25519KeyPair();
    const bundle = JSON.stringify({ v: 1, messages: [{ body: 'earlier' }] });
    const signature = await signHistoryBundle(bundle, sharer.privateKey);
    await expect(verifyHistoryBundle(bundle, signature, sharer.publicKey)).resolves.toBeUndefined();
    expect(await asyncCode(verifyHistoryBundle(`${bundle} `, signature, sharer.publicKey))).toBe('bad_signature');
    const other = await generateEd25519KeyPair();
    expect(await asyncCode(verifyHistoryBundle(bundle, signature, other.publicKey))).toBe('bad_signature');
    expect(await asyncCode(signHistoryBundle('x'.repeat(MAX_HISTORY_BUNDLE_CHARACTERS + 1), sharer.privateKey))).toBe(
      'oversized',
    );
  });
});
