import type { RelayErrorName } from '@opendescent/protocol';

/**
 * A command refused with one of the spec's error codes (docs/protocol/relay.md §4.2). Services
 * throw it; the gateway turns it into an error reply. The detail is for people and never
 * carries an id, a key or a payload byte.
 */
export class RelayRefusal extends Error {
  override readonly name = 'RelayRefusal';

  constructor(
    readonly error: RelayErrorName,
    detail: string,
  ) {
    super(detail);
  }
}
