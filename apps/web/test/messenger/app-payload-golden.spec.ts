/**
 * Golden vectors for the application payloads of messages.md §4 that §5.8 added (replies, mentions,
 * reactions, edits, deletions, read receipts, typing): the exact bytes a device sends (version byte
 * then UTF-8 JSON), checked both ways, and payloads every receiver refuses whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAppPayload, encodeAppPayload, type AppPayload } from '../../src/messenger/payload';

interface Vectors {
  readonly accepted: readonly { readonly name: string; readonly payload: AppPayload; readonly hex: string }[];
  readonly refused: readonly { readonly name: string; readonly hex: string }[];
}

const vectors = JSON.parse(readFileSync(join(__dirname, 'golden', 'app-payloads-v1.json'), 'utf8')) as Vectors;
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

test.each(vectors.accepted.map((v) => [v.name, v] as const))('%s encodes to its golden bytes and back', (_, v) => {
  expect(Buffer.from(encodeAppPayload(v.payload)).toString('hex')).toBe(v.hex);
  expect(decodeAppPayload(bytes(v.hex))).toEqual(v.payload);
});

test.each(vectors.refused.map((v) => [v.name, v] as const))('%s is refused', (_, v) => {
  expect(() => decodeAppPayload(bytes(v.hex))).toThrow();
});

test('every payload type §5.8 added has a vector', () => {
  const types = new Set(vectors.accepted.map((v) => v.payload.t));
  for (const t of ['text', 'reaction', 'edit', 'delete', 'read', 'typing']) expect(types).toContain(t);
});
