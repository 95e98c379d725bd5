import { ProtocolError } from '@opendescent/protocol';
import type { OrgKeyService } from '../access/org-keys.service';
import type { RelayRuntime } from '../runtime/relay-runtime';
import type { SignedDocumentKind } from '../store/relay-store';

/** Where a document came from: for logs and for deciding whether to tell the other nodes. */
export type DocumentSource = 'push' | 'http' | 'url' | 'peer' | 'store';

/** Why a document was refused: it does not decode or verify, or it does not supersede the one held. */
export class DocumentRefusal extends Error {
  override readonly name = 'DocumentRefusal';

  constructor(
    readonly reason: 'invalid' | 'stale',
    message: string,
  ) {
    super(message);
  }
}

/** One kind of signed organisation document: how to verify it and order two of them. */
export interface DocumentKind<T> {
  readonly kind: SignedDocumentKind;
  /** For logs and refusals: "revocation list", "token key set". */
  readonly what: string;
  readonly maxBytes: number;
  /** Decodes and checks the organisation's signature; throws ProtocolError. */
  verify(input: unknown): Promise<T>;
  /** True to adopt, false for the same document again; throws ProtocolError('stale') for an older one. */
  supersedes(current: T | undefined, candidate: T): boolean;
  version(document: T): number;
  /** Fetched at start and every `refreshSeconds` when set. */
  readonly url: string | undefined;
  readonly refreshSeconds: number;
}

/**
 * Holds the newest verified copy of one signed document (relay.md §7 for revocation lists, §3.2
 * for token key sets): accepts only a verified document that supersedes it, serialised so two
 * arriving at once are compared one after the other; shares it with the other nodes through the
 * store and the announcer; fetches it from a URL when configured. Every node verifies for itself:
 * another node is trusted no more than a client. It starts once the organisation's keys were read
 * (relay.md §7.2), and fetches its URL again whenever they change (a rotation was followed).
 */
export class SignedDocumentHolder<T> {
  #current: { readonly document: T; readonly bytes: Uint8Array } | undefined;
  #accepting: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  readonly #listeners: ((document: T, bytes: Uint8Array) => void)[] = [];
  #announce: ((bytes: Uint8Array) => void) | undefined;

  constructor(
    private readonly runtime: RelayRuntime,
    private readonly kind: DocumentKind<T>,
    private readonly orgKeys: OrgKeyService,
  ) {
    const { url } = kind;
    if (url) orgKeys.onChanged(() => void this.fetchFromUrl(url));
  }

  get current(): T | undefined {
    return this.#current?.document;
  }

  get currentBytes(): Uint8Array | undefined {
    return this.#current?.bytes;
  }

  onAccepted(listener: (document: T, bytes: Uint8Array) => void): void {
    this.#listeners.push(listener);
  }

  /** How an accepted document reaches the other relay nodes (socket.io serverSideEmit). */
  setAnnouncer(announce: (bytes: Uint8Array) => void): void {
    this.#announce = announce;
  }

  /** Resolves with the version held afterwards; rejects with a DocumentRefusal. */
  accept(input: unknown, source: DocumentSource): Promise<number> {
    const result = this.#accepting.then(() => this.acceptNow(input, source));
    this.#accepting = result.catch(() => undefined);
    return result;
  }

  async start(): Promise<void> {
    await this.orgKeys.ready();
    const stored = await this.runtime.store.document(this.kind.kind).catch(() => undefined);
    if (stored) await this.accept(stored, 'store').catch((error: unknown) => this.logRefusal(error, 'store'));
    const { url } = this.kind;
    if (url) {
      await this.fetchFromUrl(url);
      this.#timer = setInterval(() => void this.fetchFromUrl(url), this.kind.refreshSeconds * 1000);
      this.#timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The configured URL, bounded in time and size; a failure keeps the document held. */
  async fetchFromUrl(url: string): Promise<void> {
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(10_000),
        headers: { Accept: 'application/octet-stream' },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (Number(response.headers.get('content-length') ?? 0) > this.kind.maxBytes)
        throw new Error(`the ${this.kind.what} is larger than any valid one`);
      await this.accept(new Uint8Array(await response.arrayBuffer()), 'url');
    } catch (error) {
      this.logRefusal(error, 'url');
    }
  }

  private async acceptNow(input: unknown, source: DocumentSource): Promise<number> {
    const { kind } = this;
    let document: T;
    try {
      document = await kind.verify(input);
    } catch (error) {
      if (error instanceof ProtocolError) throw new DocumentRefusal('invalid', `${kind.what} refused: ${error.code}`);
      throw error;
    }
    try {
      if (!kind.supersedes(this.#current?.document, document)) return kind.version(document);
    } catch (error) {
      if (error instanceof ProtocolError)
        throw new DocumentRefusal(
          'stale',
          `${kind.what} version ${kind.version(document)} does not supersede the one held`,
        );
      throw error;
    }
    const bytes = new Uint8Array(input as Uint8Array);
    this.#current = { document, bytes };
    this.runtime.logger.info(
      { event: `${kind.kind}_accepted`, version: kind.version(document), source },
      `${kind.what} accepted`,
    );
    for (const listener of this.#listeners) listener(document, bytes);
    if (source !== 'store') {
      await this.runtime.store.offerDocument(kind.kind, kind.version(document), bytes).catch((error: unknown) => {
        this.runtime.logger.warn({ event: `${kind.kind}_not_stored`, err: error }, `could not store the ${kind.what}`);
      });
    }
    if (source !== 'peer' && source !== 'store') this.#announce?.(bytes);
    return kind.version(document);
  }

  private logRefusal(error: unknown, source: DocumentSource): void {
    const { kind } = this;
    if (error instanceof DocumentRefusal) {
      this.runtime.logger[error.reason === 'stale' ? 'debug' : 'warn'](
        { event: `${kind.kind}_refused`, reason: error.reason, source },
        `${kind.what} refused`,
      );
    } else {
      this.runtime.logger.warn(
        { event: `${kind.kind}_unavailable`, source, reason: error instanceof Error ? error.message : String(error) },
        `could not get the ${kind.what}`,
      );
    }
  }
}
