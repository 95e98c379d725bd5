/**
 * Two buffers that an upload's `read` fills in turn, instead of a new one per PATCH: about 4 MiB
 * per request that would otherwise lie as garbage until the collector runs (in a browser worker, a
 * few dozen MiB of it before a collection starts).
 *
 * Why two suffice: uploadAttachment holds the bytes of at most the last two reads (one request on
 * the wire, the next read ahead). It asks for a third read only after the request that carried the
 * first read's bytes was answered, so the buffer given back two calls earlier is free again, even
 * for a transport that read the body only while sending it (fetch copies it when the request is
 * made). A buffer of another length (the last, shorter request) is allocated afresh.
 */
export class UploadBuffers {
  readonly #held: [Uint8Array | undefined, Uint8Array | undefined] = [undefined, undefined];
  #turn: 0 | 1 = 0;

  /** A buffer of exactly `n` bytes to fill: the one given two calls ago when it has that length. */
  take(n: number): Uint8Array {
    const turn = this.#turn;
    this.#turn = turn === 0 ? 1 : 0;
    const held = this.#held[turn];
    if (held !== undefined && held.length === n) return held;
    const fresh = new Uint8Array(n);
    this.#held[turn] = fresh;
    return fresh;
  }
}
