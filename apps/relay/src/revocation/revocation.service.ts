import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  MAX_REVOCATION_LIST_BYTES,
  ProtocolError,
  isRevoked,
  supersedes,
  verifyRevocationList,
  type RevocationList,
} from '@opendescent/protocol';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import { trustedOrgKeys } from '../access/trusted-org-keys';

/** Where a list came from: for logs and for deciding whether to tell the other nodes. */
export type RevocationSource = 'push' | 'http' | 'url' | 'peer' | 'store';

/**
 * Holds the current signed revocation list (docs/protocol/relay.md §7): accepts only a verified
 * list that supersedes it, shares it with the other nodes through the store and the announcer,
 * and tells its listeners (the gateway closes the revoked devices' connections).
 */
@Injectable()
export class RevocationService implements OnApplicationBootstrap, OnApplicationShutdown {
  #current: { readonly list: RevocationList; readonly bytes: Uint8Array } | undefined;
  #accepting: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #listeners: ((list: RevocationList) => void)[] = [];
  #announce: ((bytes: Uint8Array) => void) | undefined;

  constructor(@Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime) {}

  /** Called with every newly accepted list. */
  onAccepted(listener: (list: RevocationList) => void): void {
    this.#listeners.push(listener);
  }

  /** How an accepted list reaches the other relay nodes (socket.io serverSideEmit). */
  setAnnouncer(announce: (bytes: Uint8Array) => void): void {
    this.#announce = announce;
  }

  isRevoked(deviceId: Uint8Array): boolean {
    return this.#current !== undefined && isRevoked(this.#current.list, deviceId);
  }

  currentBytes(): Uint8Array | undefined {
    return this.#current?.bytes;
  }

  /**
   * Verifies and, if it supersedes the list held, adopts a list. Resolves with the version held
   * afterwards; refuses with `revocation_list_invalid` or `revocation_list_stale`. Serialised, so
   * two lists arriving at once are compared one after the other.
   */
  accept(input: unknown, source: RevocationSource): Promise<number> {
    const result = this.#accepting.then(() => this.acceptNow(input, source));
    this.#accepting = result.catch(() => undefined);
    return result;
  }

  private async acceptNow(input: unknown, source: RevocationSource): Promise<number> {
    let list: RevocationList;
    try {
      list = await verifyRevocationList(input, trustedOrgKeys(this.runtime.config));
    } catch (error) {
      if (error instanceof ProtocolError) throw new RelayRefusal('revocation_list_invalid', `revocation list refused: ${error.code}`);
      throw error;
    }
    try {
      if (!supersedes(this.#current?.list, list)) return list.listVersion;
    } catch (error) {
      if (error instanceof ProtocolError) throw new RelayRefusal('revocation_list_stale', `revocation list version ${list.listVersion} does not supersede the one held`);
      throw error;
    }
    const bytes = new Uint8Array(input as Uint8Array);
    this.#current = { list, bytes };
    this.runtime.metrics.revocationListVersion.set(list.listVersion);
    this.runtime.logger.info({ event: 'revocation_list_accepted', listVersion: list.listVersion, revokedCount: list.revoked.length, source }, 'revocation list accepted');
    for (const listener of this.#listeners) listener(list);
    if (source !== 'store') {
      await this.runtime.store.offerRevocationList(list.listVersion, bytes).catch((error: unknown) => {
        this.runtime.logger.warn({ event: 'revocation_list_not_stored', err: error }, 'could not store the revocation list');
      });
    }
    if (source !== 'peer' && source !== 'store') this.#announce?.(bytes);
    return list.listVersion;
  }

  async onApplicationBootstrap(): Promise<void> {
    const stored = await this.runtime.store.revocationList().catch(() => undefined);
    if (stored) await this.accept(stored, 'store').catch((error: unknown) => this.logRefusal(error, 'store'));
    const url = this.runtime.config.RELAY_REVOCATION_LIST_URL;
    if (url) {
      void this.fetchFromUrl(url);
      this.#timer = setInterval(() => void this.fetchFromUrl(url), this.runtime.config.RELAY_REVOCATION_REFRESH_SECONDS * 1000);
      this.#timer.unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.#timer);
  }

  /** relay.md §7: the configured URL, bounded in time and size; a failure keeps the list held. */
  async fetchFromUrl(url: string): Promise<void> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: { Accept: 'application/octet-stream' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const length = Number(response.headers.get('content-length') ?? 0);
      if (length > MAX_REVOCATION_LIST_BYTES) throw new Error('the list is larger than any valid list');
      const bytes = new Uint8Array(await response.arrayBuffer());
      await this.accept(bytes, 'url');
    } catch (error) {
      this.logRefusal(error, 'url');
    }
  }

  private logRefusal(error: unknown, source: RevocationSource): void {
    if (error instanceof RelayRefusal) {
      const level = error.error === 'revocation_list_stale' ? 'debug' : 'warn';
      this.runtime.logger[level]({ event: 'revocation_list_refused', code: error.error, source }, 'revocation list refused');
    } else {
      this.runtime.logger.warn({ event: 'revocation_list_unavailable', source, reason: error instanceof Error ? error.message : String(error) }, 'could not get the revocation list');
    }
  }
}
