/** Shared blobs (docs/protocol/relay.md §3.13, §3.14): both frames and their replies, strictly. */
import {
  MAX_BLOB_BYTES,
  PUT_SHARED_COST,
  RELAY_COMMANDS,
  SHARED_ID_LENGTH,
  decodeRelayCommand,
  decodeRelayReply,
  encodeFetchShared,
  encodePutShared,
  encodeRelayReply,
  relayCommandName,
  type RelayReply,
} from '../../src/index';
import { expectGolden, hex, labelled, protocolCode } from '../support';

const blob = labelled('shared blob', 24);
const sharedId = labelled('shared id', 16);

const putShared = (): Uint8Array => encodePutShared({ requestId: 13, ttl: 86_400, blob });
const fetchShared = (): Uint8Array => encodeFetchShared({ requestId: 14, sharedId });

const replies: RelayReply[] = [
  { ok: true, requestId: 13, command: 'put_shared', sharedId },
  { ok: true, requestId: 14, command: 'fetch_shared', blob },
  { ok: false, requestId: 14, command: 'fetch_shared', error: 'not_found', detail: 'no such shared blob' },
  { ok: false, requestId: 13, command: 'put_shared', error: 'store_full', detail: 'the relay store is full' },
];

/** Every proper prefix of a frame, down to an empty one. */
const prefixes = (bytes: Uint8Array): Uint8Array[] =>
  Array.from({ length: bytes.length }, (_v, n) => bytes.slice(0, n));

describe('put_shared and fetch_shared frames', () => {
  it('match their golden vectors (a format change is a visible diff)', () => {
    expectGolden('relay-shared-blobs-v1', {
      description: 'relay.md §3.13, §3.14: put_shared and fetch_shared, and their replies; version 1',
      frames: { put_shared: hex(putShared()), fetch_shared: hex(fetchShared()) },
      replies: replies.map((reply) => hex(encodeRelayReply(reply))),
    });
  });

  it('are commands 0x0D and 0x0E, and put_shared costs 4 tokens', () => {
    expect(RELAY_COMMANDS.put_shared).toBe(0x0d);
    expect(RELAY_COMMANDS.fetch_shared).toBe(0x0e);
    expect(relayCommandName(0x0d)).toBe('put_shared');
    expect(relayCommandName(0x0e)).toBe('fetch_shared');
    expect(SHARED_ID_LENGTH).toBe(16);
    expect(PUT_SHARED_COST).toBe(4);
  });

  it('round trip: put_shared is header ‖ ttl ‖ n ‖ blob, fetch_shared header ‖ shared id', () => {
    const put = putShared();
    expect(put).toHaveLength(6 + 4 + 4 + blob.length);
    expect(decodeRelayCommand('put_shared', put)).toEqual({ command: 'put_shared', requestId: 13, ttl: 86_400, blob });
    const fetch = fetchShared();
    expect(fetch).toHaveLength(6 + 16);
    expect(decodeRelayCommand('fetch_shared', fetch)).toEqual({ command: 'fetch_shared', requestId: 14, sharedId });
    // TTL 0 (the relay's default) when none is given; the largest blob fits.
    const largest = encodePutShared({ requestId: 1, blob: new Uint8Array(MAX_BLOB_BYTES) });
    expect(decodeRelayCommand('put_shared', largest)).toMatchObject({ ttl: 0, blob: new Uint8Array(MAX_BLOB_BYTES) });
    expect(decodeRelayCommand('put_shared', put.slice().buffer)).toMatchObject({ blob });
  });

  it('round trip of every reply shape', () => {
    for (const reply of replies) expect(decodeRelayReply(encodeRelayReply(reply))).toEqual(reply);
  });

  describe('malformed', () => {
    it('a put_shared whose blob is empty', () => {
      const frame = encodePutShared({ requestId: 1, blob: new Uint8Array(1) }).slice(0, 14);
      new DataView(frame.buffer).setUint32(10, 0);
      expect(protocolCode(() => decodeRelayCommand('put_shared', frame))).toBe('malformed');
    });

    it('a frame sent under the other command’s event, or under put', () => {
      expect(protocolCode(() => decodeRelayCommand('fetch_shared', putShared()))).toBe('malformed');
      expect(protocolCode(() => decodeRelayCommand('put_shared', fetchShared()))).toBe('malformed');
      expect(protocolCode(() => decodeRelayCommand('put', putShared()))).toBe('malformed');
    });

    it('request id 0, reserved for notices', () => {
      const frame = fetchShared();
      frame.set([0, 0, 0, 0], 2);
      expect(protocolCode(() => decodeRelayCommand('fetch_shared', frame))).toBe('malformed');
    });

    it('trailing bytes after the blob or the id', () => {
      for (const [name, bytes] of [
        ['put_shared', putShared()],
        ['fetch_shared', fetchShared()],
      ] as const) {
        const longer = new Uint8Array(bytes.length + 1);
        longer.set(bytes);
        expect(protocolCode(() => decodeRelayCommand(name, longer))).toBe('malformed');
      }
    });

    it('a blob length that says less than the frame carries', () => {
      const frame = putShared();
      new DataView(frame.buffer).setUint32(10, blob.length - 1);
      expect(protocolCode(() => decodeRelayCommand('put_shared', frame))).toBe('malformed');
    });

    it('not one binary frame', () => {
      for (const value of ['text', 42, null, { bytes: [1] }, [1, 13, 0, 0, 0, 1]])
        expect(protocolCode(() => decodeRelayCommand('put_shared', value))).toBe('malformed');
    });

    it('encoders refuse an empty blob, a shared id of the wrong length and request id 0', () => {
      expect(protocolCode(() => encodePutShared({ requestId: 1, blob: new Uint8Array(0) }))).toBe('malformed');
      for (const length of [0, 15, 17])
        expect(protocolCode(() => encodeFetchShared({ requestId: 1, sharedId: new Uint8Array(length) }))).toBe(
          'malformed',
        );
      expect(protocolCode(() => encodeFetchShared({ requestId: 0, sharedId }))).toBe('malformed');
      expect(protocolCode(() => encodePutShared({ requestId: 1, ttl: 2 ** 32, blob }))).toBe('malformed');
    });

    it('a fetch_shared reply with an empty blob, and a put_shared reply with a short id', () => {
      const fetched = encodeRelayReply({ ok: true, requestId: 14, command: 'fetch_shared', blob: new Uint8Array(1) });
      const empty = fetched.slice(0, fetched.length - 1);
      new DataView(empty.buffer).setUint32(7, 0);
      expect(protocolCode(() => decodeRelayReply(empty))).toBe('malformed');
      const put = encodeRelayReply(replies[0] as RelayReply);
      expect(protocolCode(() => decodeRelayReply(put.slice(0, put.length - 1)))).toBe('malformed');
    });
  });

  describe('oversized', () => {
    it('a blob length over 65,536, refused before the blob is read', () => {
      const frame = putShared();
      new DataView(frame.buffer).setUint32(10, MAX_BLOB_BYTES + 1);
      expect(protocolCode(() => decodeRelayCommand('put_shared', frame))).toBe('oversized');
    });

    it('a frame over the relay’s ceiling, refused before parsing', () => {
      const frame = encodePutShared({ requestId: 1, blob: new Uint8Array(2048) });
      expect(protocolCode(() => decodeRelayCommand('put_shared', frame, 1024))).toBe('oversized');
    });

    it('the encoder refuses a blob over 65,536 bytes', () => {
      expect(protocolCode(() => encodePutShared({ requestId: 1, blob: new Uint8Array(MAX_BLOB_BYTES + 1) }))).toBe(
        'oversized',
      );
    });

    it('a fetch_shared reply announcing a blob over 65,536 bytes', () => {
      const reply = encodeRelayReply({ ok: true, requestId: 14, command: 'fetch_shared', blob });
      new DataView(reply.buffer).setUint32(7, MAX_BLOB_BYTES + 1);
      expect(protocolCode(() => decodeRelayReply(reply))).toBe('oversized');
    });
  });

  describe('truncated', () => {
    it('every proper prefix of either frame is refused, never half-read', () => {
      for (const [name, bytes] of [
        ['put_shared', putShared()],
        ['fetch_shared', fetchShared()],
      ] as const) {
        for (const prefix of prefixes(bytes))
          expect(protocolCode(() => decodeRelayCommand(name, prefix))).toBe('malformed');
      }
    });

    it('every proper prefix of either success reply is refused', () => {
      for (const reply of replies.slice(0, 2)) {
        for (const prefix of prefixes(encodeRelayReply(reply)))
          expect(protocolCode(() => decodeRelayReply(prefix))).toBe('malformed');
      }
    });
  });
});
