/** Relay frames (docs/protocol/relay.md §3, §4): golden vectors, round trips, strict refusals. */
import fc from 'fast-check';
import { ed25519KeyPairFromSeed, type Ed25519KeyPair } from '@opendescent/crypto';
import {
  MAX_BLOB_BYTES,
  MAX_PUT_MANY_ENTRIES,
  PROVEN_ON_THIS_CONNECTION,
  ProtocolError,
  RELAY_COMMANDS,
  RELAY_ERRORS,
  decodeChallenge,
  decodeDeliver,
  decodeRelayCommand,
  decodeRelayReply,
  encodeAck,
  encodeChallenge,
  encodeCreate,
  encodeDelete,
  encodeDeliver,
  encodeFetch,
  encodeHello,
  encodeNotice,
  encodePrekeyClaim,
  encodePrekeyFetch,
  encodePrekeyPublish,
  encodePut,
  encodePutMany,
  encodePutShared,
  encodeFetchShared,
  encodeAttachCreate,
  encodeTurnCredentials,
  attachmentCiphertextLength,
  encodeRelayReply,
  encodeRevocationPush,
  encodeSubscribe,
  isRelayCommandName,
  peekRequestId,
  relayErrorName,
  type RelayCommandName,
  type RelayReply,
} from '../../src/index';
import { expectGolden, hex, labelled } from '../support';

const challenge = labelled('relay challenge', 32);
const recipientId = labelled('recipient id', 16);
const senderId = labelled('sender id', 16);
const slotId = labelled('slot id', 16);
const messageId = labelled('message id', 16);
const blob = labelled('blob', 24);

const keyFrom = (label: string): Promise<Ed25519KeyPair> => ed25519KeyPairFromSeed(labelled(label, 32));

async function allCommands(): Promise<Record<RelayCommandName, Uint8Array>> {
  const queue = await keyFrom('golden queue key');
  const slot = await keyFrom('golden slot key');
  const signer = { challenge, key: queue.privateKey };
  return {
    hello: encodeHello({ requestId: 1, token: labelled('access token', 354) }),
    create: await encodeCreate({ requestId: 2 }, signer),
    put: encodePut({ requestId: 3, senderId, ttl: 3600, blob }),
    put_many: encodePutMany({
      requestId: 4,
      entries: [
        { senderId, blob },
        { senderId: recipientId, blob: blob.slice(0, 3) },
      ],
    }),
    subscribe: await encodeSubscribe({ requestId: 5, recipientId }, signer),
    fetch: await encodeFetch({ requestId: 6, recipientId, max: 10 }, signer),
    ack: await encodeAck({ requestId: 7, recipientId, messageIds: [messageId] }, signer),
    delete: await encodeDelete({ requestId: 8, recipientId }, signer),
    prekey_publish: await encodePrekeyPublish(
      {
        requestId: 9,
        slotId,
        mode: 'append',
        bundle: labelled('bundle', 20),
        oneTimePrekeys: [labelled('otk 1', 8), labelled('otk 2', 8)],
      },
      { challenge, key: slot.privateKey },
    ),
    prekey_fetch: encodePrekeyFetch({ requestId: 10, slotId }),
    prekey_claim: encodePrekeyClaim({ requestId: 11, slotId }),
    revocation_push: encodeRevocationPush({ requestId: 12, list: labelled('list bytes', 16) }),
    put_shared: encodePutShared({ requestId: 13, ttl: 86_400, blob }),
    fetch_shared: encodeFetchShared({ requestId: 14, sharedId: labelled('shared id', 16) }),
    attach_create: encodeAttachCreate({
      requestId: 15,
      ttl: 86_400,
      length: attachmentCiphertextLength(65_537),
      fetches: 3,
    }),
    turn_credentials: encodeTurnCredentials({ requestId: 16 }),
  };
}

const limits = {
  maxFrameBytes: 262_144,
  defaultTtlSeconds: 259_200,
  maxTtlSeconds: 1_209_600,
  queueMaxMessages: 1000,
  queueMaxBytes: 4_194_304,
  ratePerSecond: 50,
  rateBurst: 200,
};

const replies: RelayReply[] = [
  { ok: true, requestId: 1, command: 'hello' },
  { ok: true, requestId: 2, command: 'create', recipientId, senderId },
  { ok: true, requestId: 4, command: 'put_many', statuses: ['ok', 'quota_exceeded', 'auth'] },
  { ok: true, requestId: 6, command: 'fetch', more: true, messages: [{ messageId, receivedAt: 1_800_000_000, blob }] },
  { ok: true, requestId: 9, command: 'prekey_publish', remaining: 2 },
  { ok: true, requestId: 10, command: 'prekey_fetch', remaining: 2, bundle: labelled('bundle', 20) },
  {
    ok: true,
    requestId: 11,
    command: 'prekey_claim',
    bundle: labelled('bundle', 20),
    oneTimePrekey: labelled('otk 1', 8),
  },
  { ok: true, requestId: 11, command: 'prekey_claim', bundle: labelled('bundle', 20), oneTimePrekey: undefined },
  { ok: true, requestId: 12, command: 'revocation_push', listVersion: 7 },
  {
    ok: false,
    requestId: 3,
    command: 'put',
    error: 'auth',
    detail: 'no queue has this sender id, or the signature does not verify',
  },
];

function protocolError(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('relay client frames', () => {
  it('match their golden vectors (a format change is a visible diff)', async () => {
    const frames = await allCommands();
    expectGolden('relay-commands-v1', {
      description:
        'relay.md §3: every client frame, version 1; signed frames use the challenge below and keys from labelled seeds',
      challenge: hex(challenge),
      frames: Object.fromEntries(Object.entries(frames).map(([name, bytes]) => [name, hex(bytes)])),
    });
  });

  it('round-trip through their decoder, each starting with the version byte and its command code', async () => {
    const frames = await allCommands();
    for (const [name, bytes] of Object.entries(frames) as [RelayCommandName, Uint8Array][]) {
      expect(bytes[0]).toBe(1);
      expect(bytes[1]).toBe(RELAY_COMMANDS[name]);
      const decoded = decodeRelayCommand(name, bytes);
      expect(decoded.command).toBe(name);
      expect(decoded.requestId).toBe(peekRequestId(bytes));
    }
    const put = decodeRelayCommand('put', frames.put);
    expect(put).toEqual({ command: 'put', requestId: 3, senderId, ttl: 3600, blob });
    const publish = decodeRelayCommand('prekey_publish', frames.prekey_publish);
    expect(publish.mode).toBe('append');
    expect(publish.oneTimePrekeys).toHaveLength(2);
    expect(decodeRelayCommand('put_many', frames.put_many).entries[1]?.blob).toEqual(blob.slice(0, 3));
  });

  it('accept an ArrayBuffer as a browser would send it', async () => {
    const frames = await allCommands();
    const copy = frames.put.slice();
    expect(decodeRelayCommand('put', copy.buffer).blob).toEqual(blob);
  });

  it('refuse a frame whose command code does not match its event', async () => {
    const frames = await allCommands();
    expect(protocolError(() => decodeRelayCommand('delete', frames.subscribe)).code).toBe('malformed');
  });

  it('tell a too-old version from an unknown one', async () => {
    const frames = await allCommands();
    const old = frames.put.slice();
    old[0] = 0;
    const newer = frames.put.slice();
    newer[0] = 2;
    expect(protocolError(() => decodeRelayCommand('put', old)).code).toBe('version_too_old');
    expect(protocolError(() => decodeRelayCommand('put', newer)).code).toBe('version_unknown');
  });

  it('refuse request id 0, reserved for notices', () => {
    const frame = encodePrekeyFetch({ requestId: 1, slotId });
    frame.set([0, 0, 0, 0], 2);
    expect(protocolError(() => decodeRelayCommand('prekey_fetch', frame)).code).toBe('malformed');
  });

  it('refuse truncated and extended frames of every command', async () => {
    const frames = await allCommands();
    for (const [name, bytes] of Object.entries(frames) as [RelayCommandName, Uint8Array][]) {
      expect(protocolError(() => decodeRelayCommand(name, bytes.slice(0, bytes.length - 1))).code).toBe('malformed');
      const longer = new Uint8Array(bytes.length + 1);
      longer.set(bytes);
      expect(protocolError(() => decodeRelayCommand(name, longer)).code).toBe('malformed');
    }
  });

  it('match the golden vectors of fetch and ack without a signature (§6.3)', async () => {
    expectGolden('relay-commands-unsigned-v1', {
      description:
        'relay.md §3.7, §3.8, §6.3: fetch and ack without a signature, for a connection that has proven the queue key; version 1',
      frames: {
        fetch: hex(await encodeFetch({ requestId: 6, recipientId, max: 10 }, PROVEN_ON_THIS_CONNECTION)),
        ack: hex(await encodeAck({ requestId: 7, recipientId, messageIds: [messageId] }, PROVEN_ON_THIS_CONNECTION)),
      },
    });
  });

  it('decode fetch and ack without a signature as unsigned, and with one as signed over the same prefix', async () => {
    const frames = await allCommands();
    const unsignedAck = await encodeAck(
      { requestId: 7, recipientId, messageIds: [messageId] },
      PROVEN_ON_THIS_CONNECTION,
    );
    const unsignedFetch = await encodeFetch({ requestId: 6, recipientId, max: 10 }, PROVEN_ON_THIS_CONNECTION);
    const ack = decodeRelayCommand('ack', unsignedAck);
    expect(ack).toEqual({
      command: 'ack',
      requestId: 7,
      recipientId,
      messageIds: [messageId],
      signed: undefined,
      signature: undefined,
    });
    expect(decodeRelayCommand('fetch', unsignedFetch)).toEqual({
      command: 'fetch',
      requestId: 6,
      recipientId,
      max: 10,
      signed: undefined,
      signature: undefined,
    });
    // The unsigned frame is exactly what the signature of the signed one covers.
    expect(decodeRelayCommand('ack', frames.ack).signed).toEqual(unsignedAck);
    expect(decodeRelayCommand('fetch', frames.fetch).signed).toEqual(unsignedFetch);
  });

  it('refuse an ack or fetch whose trailing bytes are neither nothing nor one whole signature', async () => {
    const unsigned = {
      ack: await encodeAck({ requestId: 7, recipientId, messageIds: [messageId] }, PROVEN_ON_THIS_CONNECTION),
      fetch: await encodeFetch({ requestId: 6, recipientId, max: 10 }, PROVEN_ON_THIS_CONNECTION),
    };
    for (const [name, bytes] of Object.entries(unsigned) as ['ack' | 'fetch', Uint8Array][]) {
      for (const extra of [1, 32, 63, 65, 128]) {
        const frame = new Uint8Array(bytes.length + extra);
        frame.set(bytes);
        expect(protocolError(() => decodeRelayCommand(name, frame)).code).toBe('malformed');
      }
    }
  });

  it('never leave out the signature of create, subscribe, delete or prekey_publish', async () => {
    const frames = await allCommands();
    for (const name of ['create', 'subscribe', 'delete', 'prekey_publish'] as const) {
      const bytes = frames[name];
      expect(protocolError(() => decodeRelayCommand(name, bytes.slice(0, bytes.length - 64))).code).toBe('malformed');
    }
  });

  it.each([
    ['text', 'hello'],
    ['a number', 42],
    ['an object', { bytes: [1, 2, 3] }],
    ['null', null],
    ['an array of bytes', [1, 3, 0, 0, 0, 1]],
  ])('refuse a payload that is not one binary frame: %s', (_name, value) => {
    expect(protocolError(() => decodeRelayCommand('put', value)).code).toBe('malformed');
  });

  it('refuse a frame over the given ceiling before parsing it', () => {
    const frame = encodePut({ requestId: 1, senderId, blob: new Uint8Array(2048) });
    expect(protocolError(() => decodeRelayCommand('put', frame, 1024)).code).toBe('oversized');
  });

  it('refuse an oversized blob length before reading the blob', () => {
    const frame = encodePut({ requestId: 1, senderId, blob });
    new DataView(frame.buffer).setUint32(26, MAX_BLOB_BYTES + 1);
    expect(protocolError(() => decodeRelayCommand('put', frame)).code).toBe('oversized');
  });

  it('refuse a put_many with too many entries, and one with none', () => {
    const frame = encodePutMany({ requestId: 1, entries: [{ senderId, blob }] });
    const view = new DataView(frame.buffer);
    view.setUint16(10, MAX_PUT_MANY_ENTRIES + 1);
    expect(protocolError(() => decodeRelayCommand('put_many', frame)).code).toBe('oversized');
    view.setUint16(10, 0);
    expect(protocolError(() => decodeRelayCommand('put_many', frame)).code).toBe('malformed');
  });

  it('refuse an unknown prekey publish mode', async () => {
    const slot = await keyFrom('slot');
    const frame = await encodePrekeyPublish(
      { requestId: 1, slotId, mode: 'replace', bundle: blob, oneTimePrekeys: [] },
      { challenge, key: slot.privateKey },
    );
    frame[54] = 2;
    expect(protocolError(() => decodeRelayCommand('prekey_publish', frame)).code).toBe('malformed');
  });

  it('know exactly their command names', () => {
    expect(isRelayCommandName('put')).toBe(true);
    expect(isRelayCommandName('toString')).toBe(false);
    expect(isRelayCommandName('__proto__')).toBe(false);
  });

  it('peek a request id without ever throwing', () => {
    fc.assert(fc.property(fc.anything(), (value) => Number.isInteger(peekRequestId(value))));
  });

  it('decode arbitrary and mutated bytes with nothing but ProtocolError', async () => {
    const frames = await allCommands();
    const names = Object.keys(frames) as RelayCommandName[];
    const mutated = fc
      .tuple(
        fc.constantFrom(...names),
        fc.array(fc.tuple(fc.nat(400), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(400),
      )
      .map(([name, flips, cut]) => {
        const bytes = (frames[name] as Uint8Array).slice(0, Math.max(cut, 6));
        for (const [at, value] of flips) if (at < bytes.length) bytes[at] = value;
        return [name, bytes] as const;
      });
    const random = fc.tuple(fc.constantFrom(...names), fc.uint8Array({ maxLength: 300 }));
    fc.assert(
      fc.property(fc.oneof(mutated, random), ([name, bytes]) => {
        try {
          decodeRelayCommand(name, bytes);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('relay frames to the client', () => {
  it('match their golden vectors', () => {
    expectGolden('relay-replies-v1', {
      description: 'relay.md §3.1, §4: challenge, replies, errors, notice and deliver, version 1',
      challenge: hex(encodeChallenge({ challenge, limits })),
      replies: replies.map((reply) => hex(encodeRelayReply(reply))),
      notice: hex(encodeNotice('device_revoked', 'this device has been revoked')),
      deliver: hex(encodeDeliver({ recipientId, messageId, receivedAt: 1_800_000_000, blob })),
    });
  });

  it('round-trip: challenge, every reply shape, notice, deliver', () => {
    expect(decodeChallenge(encodeChallenge({ challenge, limits }))).toEqual({ challenge, limits });
    for (const reply of replies) expect(decodeRelayReply(encodeRelayReply(reply))).toEqual(reply);
    expect(decodeRelayReply(encodeNotice('shutting_down', 'bye'))).toEqual({
      ok: false,
      requestId: 0,
      command: undefined,
      error: 'shutting_down',
      detail: 'bye',
    });
    const delivery = { recipientId, messageId, receivedAt: 1_800_000_000, blob };
    expect(decodeDeliver(encodeDeliver(delivery))).toEqual(delivery);
  });

  it('cut an over-long error detail at a character boundary', () => {
    const reply = decodeRelayReply(encodeNotice('malformed', 'é'.repeat(150)));
    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.detail).toBe('é'.repeat(100));
  });

  it('refuse an error code this version does not define', () => {
    const frame = encodeNotice('auth', '');
    new DataView(frame.buffer).setUint16(7, 999);
    expect(protocolError(() => decodeRelayReply(frame)).code).toBe('malformed');
  });

  it('number every error code once, and name it back', () => {
    const codes = Object.values(RELAY_ERRORS);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, code] of Object.entries(RELAY_ERRORS)) expect(relayErrorName(code)).toBe(name);
  });

  it('decode arbitrary bytes with nothing but ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const decode of [decodeRelayReply, decodeDeliver, decodeChallenge]) {
          try {
            decode(bytes);
          } catch (error) {
            if (!(error instanceof ProtocolError)) throw error;
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
