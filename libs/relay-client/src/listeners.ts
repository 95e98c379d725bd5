/** A set of listeners; `add` returns the function that removes the listener again. */
export class Listeners<A extends unknown[]> {
  readonly #listeners = new Set<(...args: A) => void>();

  add(listener: (...args: A) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * A throwing listener must not break the client or the other listeners, nor be swallowed: its
   * error goes to the global error handler (a worker's `error` event) through reportError.
   */
  notify(...args: A): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(...args);
      } catch (error) {
        if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
        else
          queueMicrotask(() => {
            throw error;
          });
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
