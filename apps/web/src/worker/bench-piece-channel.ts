/**
 * Bench only (./bench-attachments.ts): hands the pieces that relay-client's downloadAttachment
 * pushes to its `write` callback to a reader that pulls them (decryptAttachment takes an async
 * iterable). One piece at a time: `push` resolves once the reader has taken the previous one, so a
 * download faster than the cipher waits for it instead of piling its body up in memory.
 */
export class PieceChannel implements AsyncIterable<Uint8Array> {
  #piece: Uint8Array | undefined;
  #ended = false;
  #failed = false;
  #failure: unknown;
  #readerGone = false;
  #wakeReader: (() => void) | undefined;
  #wakeWriter: (() => void) | undefined;

  /** Rejects once the reader stopped (it failed, or left early). */
  async push(piece: Uint8Array): Promise<void> {
    while (this.#piece !== undefined && !this.#readerGone)
      await new Promise<void>((resolve) => (this.#wakeWriter = resolve));
    if (this.#readerGone) throw new Error('bench piece channel: the reader stopped');
    this.#piece = piece;
    this.#wake('reader');
  }

  /** No more pieces: the reader ends after the last one, or throws `failure` when given. */
  end(...failure: [] | [unknown]): void {
    this.#ended = true;
    if (failure.length > 0) {
      this.#failed = true;
      this.#failure = failure[0];
    }
    this.#wake('reader');
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for (;;) {
        const piece = this.#piece;
        if (piece !== undefined) {
          this.#piece = undefined;
          this.#wake('writer');
          yield piece;
          continue;
        }
        if (this.#ended) {
          if (this.#failed) throw this.#failure;
          return;
        }
        await new Promise<void>((resolve) => (this.#wakeReader = resolve));
      }
    } finally {
      this.#readerGone = true;
      this.#wake('writer');
    }
  }

  #wake(who: 'reader' | 'writer'): void {
    const wake = who === 'reader' ? this.#wakeReader : this.#wakeWriter;
    if (who === 'reader') this.#wakeReader = undefined;
    else this.#wakeWriter = undefined;
    wake?.();
  }
}
