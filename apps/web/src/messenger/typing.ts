/**
 * Who is typing where (messages.md §5.8), in memory only: never stored, never sent on. An
 * indicator lasts TYPING_SHOWN_MS unless repeated (senders repeat it every TYPING_REPEAT_MS
 * while typing), ends with `typing: false` or with the person's next message, and one older than
 * TYPING_MAX_AGE_MS when it arrives (it waited on a relay while this device was away) is ignored.
 */
export const TYPING_SHOWN_MS = 6_000;
export const TYPING_REPEAT_MS = 3_000;
export const TYPING_MAX_AGE_MS = 30_000;

export class TypingTracker {
  private readonly typing = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();
  /** Our own last `typing: true` per conversation, so a chatty page does not send more than one per TYPING_REPEAT_MS. */
  private readonly sent = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly emit: (conversationId: string, addresses: readonly string[]) => void,
  ) {}

  /** Someone else's indicator arrived. */
  note(conversationId: string, address: string, typing: boolean, at: number): void {
    if (Math.abs(this.now() - at) > TYPING_MAX_AGE_MS) return;
    if (!typing) return this.clear(conversationId, address);
    const people = this.typing.get(conversationId) ?? new Map<string, ReturnType<typeof setTimeout>>();
    this.typing.set(conversationId, people);
    const known = people.get(address);
    if (known !== undefined) clearTimeout(known);
    people.set(
      address,
      setTimeout(() => this.clear(conversationId, address), TYPING_SHOWN_MS),
    );
    if (known === undefined) this.emit(conversationId, [...people.keys()]);
  }

  /** The person stopped, or their message arrived. */
  clear(conversationId: string, address: string): void {
    const people = this.typing.get(conversationId);
    const timer = people?.get(address);
    if (!people || timer === undefined) return;
    clearTimeout(timer);
    people.delete(address);
    if (people.size === 0) this.typing.delete(conversationId);
    this.emit(conversationId, [...people.keys()]);
  }

  /** Whether our own `typing` for a conversation should go out now (true: at most one per TYPING_REPEAT_MS; false: once after a true). */
  shouldSend(conversationId: string, typing: boolean): boolean {
    const last = this.sent.get(conversationId);
    if (!typing) {
      this.sent.delete(conversationId);
      return last !== undefined;
    }
    if (last !== undefined && this.now() - last < TYPING_REPEAT_MS - 500) return false;
    this.sent.set(conversationId, this.now());
    return true;
  }

  stop(): void {
    for (const people of this.typing.values()) for (const timer of people.values()) clearTimeout(timer);
    this.typing.clear();
    this.sent.clear();
  }
}
