/**
 * A scripted stand-in for a relay behind `ioFactory`: just enough of a socket.io client socket
 * for RelayConnection, answering each emitted frame as the test says. For the failure modes a real
 * relay does not produce on demand, and for counting what went over which connection.
 */
import { encodeChallenge, encodeRelayReply, type RelayCommandName } from '@opendescent/protocol';
import { RelayRequestError } from '../../src';

export type Answer = (event: string, frame: Uint8Array, socket: ScriptedSocket) => unknown;
type Handler = (...args: unknown[]) => void;

export const LIMITS = {
  maxFrameBytes: 65_536,
  defaultTtlSeconds: 60,
  maxTtlSeconds: 600,
  queueMaxMessages: 100,
  queueMaxBytes: 1 << 20,
  ratePerSecond: 1000,
  rateBurst: 1000,
};

export class ScriptedSocket {
  readonly #handlers = new Map<string, Handler[]>();
  readonly emitted: { event: string; frame: Uint8Array }[] = [];
  closed = false;

  constructor(private readonly answer: Answer) {}

  on(event: string, handler: Handler): this {
    this.#handlers.set(event, [...(this.#handlers.get(event) ?? []), handler]);
    return this;
  }

  once(event: string, handler: Handler): this {
    const wrapped: Handler = (...args) => {
      this.off(event, wrapped);
      handler(...args);
    };
    return this.on(event, wrapped);
  }

  off(event?: string, handler?: Handler): this {
    if (event === undefined) this.#handlers.clear();
    else if (handler === undefined) this.#handlers.delete(event);
    else
      this.#handlers.set(
        event,
        (this.#handlers.get(event) ?? []).filter((h) => h !== handler),
      );
    return this;
  }

  connect(): this {
    setTimeout(
      () => this.fire('challenge', encodeChallenge({ challenge: new Uint8Array(32).fill(1), limits: LIMITS })),
      1,
    );
    return this;
  }

  close(): this {
    this.closed = true;
    return this;
  }

  emit(event: string, frame: Uint8Array, ack: (answer: unknown) => void): this {
    this.emitted.push({ event, frame });
    const answer = this.answer(event, frame, this);
    if (answer !== undefined) setTimeout(() => ack(answer), 1);
    return this;
  }

  fire(event: string, ...args: unknown[]): void {
    for (const handler of this.#handlers.get(event) ?? []) handler(...args);
  }
}

/** A success reply for a command that carries no body (create gets two zero ids). */
export const ok = (command: RelayCommandName, requestId: number): Uint8Array => {
  if (command === 'create')
    return encodeRelayReply({
      ok: true,
      requestId,
      command,
      recipientId: new Uint8Array(16),
      senderId: new Uint8Array(16),
    });
  return encodeRelayReply({ ok: true, requestId, command: command as 'put' });
};

export async function until(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** How a command ended: `resolved` (or the label given) when it succeeded, else its error code. */
export async function codeOf(promise: Promise<unknown>, resolved = 'resolved'): Promise<string> {
  try {
    await promise;
    return resolved;
  } catch (error) {
    return error instanceof RelayRequestError ? error.code : String(error);
  }
}
