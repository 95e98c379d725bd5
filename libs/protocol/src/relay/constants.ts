/** Constants of the relay protocol (docs/protocol/relay.md). Each cites its section. */
export const RELAY_FRAME_VERSION = 1;

/** §3.1: fresh random bytes per connection. */
export const CHALLENGE_LENGTH = 32;
/** §5.2: 128 bits from a CSPRNG. */
export const QUEUE_ID_LENGTH = 16;
export const MESSAGE_ID_LENGTH = 16;
/** §3.10 */
export const SLOT_ID_LENGTH = 16;
export const RELAY_PUBLIC_KEY_LENGTH = 32;
export const RELAY_SIGNATURE_LENGTH = 64;
/** §3.13: the id the relay draws for a shared blob, 128 bits from its CSPRNG. */
export const SHARED_ID_LENGTH = 16;
/** §3.0: version, command code, request id. */
export const COMMAND_HEADER_LENGTH = 6;

/** §8.1 */
export const MAX_BLOB_BYTES = 65_536;
export const MAX_PUT_MANY_ENTRIES = 256;
export const MAX_ACK_IDS = 256;
export const MAX_FETCH_MESSAGES = 256;
export const MAX_PREKEY_BUNDLE_BYTES = 8_192;
export const MAX_ONE_TIME_PREKEY_BYTES = 4_096;
export const MAX_ONE_TIME_PREKEYS_PER_PUBLISH = 100;
export const MAX_ONE_TIME_PREKEYS_PER_SLOT = 200;
export const MAX_ERROR_DETAIL_BYTES = 200;
/** §3.2: an access token of access-tokens.md is 354 bytes; room for a later token type, no more. */
export const MAX_HELLO_TOKEN_BYTES = 1_024;
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 1_024;
/** §8.3: the tokens a put_shared costs in all (admitted on one, charged the rest once parsed). */
export const PUT_SHARED_COST = 4;
/** §2: the largest RELAY_MAX_FRAME_BYTES a relay may be configured with. */
export const MAX_RELAY_FRAME_BYTES = 16 * 1024 * 1024;

/** §3.0: the command codes, and the socket.io event that carries each. */
export const RELAY_COMMANDS = {
  hello: 0x01,
  create: 0x02,
  put: 0x03,
  put_many: 0x04,
  subscribe: 0x05,
  fetch: 0x06,
  ack: 0x07,
  delete: 0x08,
  prekey_publish: 0x09,
  prekey_fetch: 0x0a,
  prekey_claim: 0x0b,
  revocation_push: 0x0c,
  put_shared: 0x0d,
  fetch_shared: 0x0e,
  attach_create: 0x0f,
  turn_credentials: 0x10,
} as const;

export type RelayCommandName = keyof typeof RELAY_COMMANDS;

const COMMANDS_BY_CODE = new Map<number, RelayCommandName>(
  Object.entries(RELAY_COMMANDS).map(([name, code]) => [code, name as RelayCommandName]),
);

export function isRelayCommandName(value: unknown): value is RelayCommandName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RELAY_COMMANDS, value);
}

export function relayCommandName(code: number): RelayCommandName | undefined {
  return COMMANDS_BY_CODE.get(code);
}

/** §4: the type byte of each relay-to-client frame. */
export const RELAY_FRAME_TYPES = { challenge: 0x40, ok: 0x41, error: 0x42, deliver: 0x43 } as const;

/** §2: the relay-to-client socket.io events. */
export const RELAY_EVENTS = {
  challenge: 'challenge',
  reply: 'reply',
  deliver: 'deliver',
  notice: 'notice',
  revocation: 'revocation',
} as const;
