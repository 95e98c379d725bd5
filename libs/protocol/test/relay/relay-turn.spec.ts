/** turn_credentials (docs/protocol/relay.md §3.16) and its reply, strictly. */
import {
  MAX_TURN_URLS,
  RELAY_COMMANDS,
  decodeRelayCommand,
  decodeRelayReply,
  encodeRelayReply,
  encodeTurnCredentials,
  relayCommandName,
  type RelayReply,
} from '../../src/index';
import { expectGolden, hex, protocolCode } from '../support';

const turn = {
  urls: ['turn:turn.ministry.example:3478?transport=udp', 'turns:turn.ministry.example:5349?transport=tcp'],
  username: '1800003600:00112233445566778899aabbccddeeff',
  credential: 'bWFkZS11cC1mb3ItdGhlLXZlY3Rvcg==',
  expiresAt: 1_800_003_600,
};

const replies: RelayReply[] = [
  { ok: true, requestId: 16, command: 'turn_credentials', turn },
  {
    ok: false,
    requestId: 16,
    command: 'turn_credentials',
    error: 'not_found',
    detail: 'this relay hands out no TURN server',
  },
];

const okReply = (): Uint8Array => encodeRelayReply(replies[0] as RelayReply);

/** The reply with one byte changed at `offset`. */
function bent(offset: number, value: number): Uint8Array {
  const copy = okReply().slice();
  copy[offset] = value;
  return copy;
}

describe('turn_credentials', () => {
  it('matches its golden vector (a format change is a visible diff)', () => {
    expectGolden('relay-turn-v1', {
      description: 'relay.md §3.16: turn_credentials and its replies; version 1',
      frame: hex(encodeTurnCredentials({ requestId: 16 })),
      replies: replies.map((reply) => hex(encodeRelayReply(reply))),
    });
  });

  it('is command 0x10, the header alone, and every reply shape round-trips', () => {
    expect(RELAY_COMMANDS.turn_credentials).toBe(0x10);
    expect(relayCommandName(0x10)).toBe('turn_credentials');
    const frame = encodeTurnCredentials({ requestId: 16 });
    expect(frame).toHaveLength(6);
    expect(decodeRelayCommand('turn_credentials', frame)).toEqual({ command: 'turn_credentials', requestId: 16 });
    for (const reply of replies) expect(decodeRelayReply(encodeRelayReply(reply))).toEqual(reply);
  });

  describe('malformed and oversized', () => {
    it('a command with a body', () => {
      const frame = new Uint8Array([...encodeTurnCredentials({ requestId: 16 }), 0]);
      expect(protocolCode(() => decodeRelayCommand('turn_credentials', frame))).toBe('malformed');
    });

    it('a reply with no URL, too many, or one that is not turn: or turns:', () => {
      for (const urls of [[], Array.from({ length: MAX_TURN_URLS + 1 }, () => turn.urls[0] as string), ['stun:x:3478']])
        expect(
          protocolCode(() =>
            encodeRelayReply({ ok: true, requestId: 16, command: 'turn_credentials', turn: { ...turn, urls } }),
          ),
        ).toBe('malformed');
      // The same refusals when reading: the URL's first byte rewritten ('t' → 's').
      const bytes = okReply();
      const at = bytes.length - (turn.urls[1] as string).length;
      expect(protocolCode(() => decodeRelayReply(bent(at, 0x73)))).toBe('malformed');
      expect(bytes[at]).toBe(0x74);
    });

    it('a user name longer than 128 bytes, a truncated reply, trailing bytes', () => {
      expect(
        protocolCode(() =>
          encodeRelayReply({
            ok: true,
            requestId: 16,
            command: 'turn_credentials',
            turn: { ...turn, username: 'x'.repeat(129) },
          }),
        ),
      ).toBe('malformed');
      // Header (7) ‖ expires at (4) ‖ user name length (2): 0xFFFF announced.
      expect(protocolCode(() => decodeRelayReply(bent(11, 0xff)))).toBe('oversized');
      expect(protocolCode(() => decodeRelayReply(okReply().slice(0, -1)))).toBe('malformed');
      expect(protocolCode(() => decodeRelayReply(new Uint8Array([...okReply(), 0])))).toBe('malformed');
    });
  });
});
