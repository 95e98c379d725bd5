import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  MAX_REVOCATION_LIST_BYTES,
  supersedes,
  verifyRevocationList,
  type RevocationList,
} from '@opendescent/protocol';
import { OrgKeyService } from '../access/org-keys.service';
import { DocumentRefusal, SignedDocumentHolder, type DocumentSource } from '../documents/signed-document-holder';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import { RevocationFreshnessWatch, type RevocationListHealth } from './revocation-freshness';

/**
 * Holds the current signed revocation list (docs/protocol/relay.md §7). The relay no longer knows
 * which device holds a connection, so it cannot cut anyone off by id: it forwards every newer list
 * to every connection (the gateway listens here), and the clients stop writing to, and drop what
 * comes from, the devices it names. Past its next update the list is stale (§7.1): still held and
 * forwarded, and said so. A stored list of an older format (version 1) is refused at start like
 * any invalid one (logged, nothing wiped) and the configured URL is fetched.
 */
@Injectable()
export class RevocationService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #holder: SignedDocumentHolder<RevocationList>;
  readonly #freshness: RevocationFreshnessWatch;

  constructor(@Inject(RELAY_RUNTIME) runtime: RelayRuntime, orgKeys: OrgKeyService) {
    const { config } = runtime;
    this.#holder = new SignedDocumentHolder(
      runtime,
      {
        kind: 'revocation_list',
        what: 'revocation list',
        maxBytes: MAX_REVOCATION_LIST_BYTES,
        verify: (input) => orgKeys.verifying((keys) => verifyRevocationList(input, keys)),
        supersedes,
        version: (list) => list.listVersion,
        url: config.RELAY_REVOCATION_LIST_URL,
        refreshSeconds: config.RELAY_REVOCATION_REFRESH_SECONDS,
      },
      orgKeys,
    );
    this.#freshness = new RevocationFreshnessWatch(runtime);
    this.#holder.onAccepted((list) => this.#freshness.held(list));
  }

  /** Called with every newly accepted list and its signed bytes. */
  onAccepted(listener: (list: RevocationList, bytes: Uint8Array) => void): void {
    this.#holder.onAccepted(listener);
  }

  setAnnouncer(announce: (bytes: Uint8Array) => void): void {
    this.#holder.setAnnouncer(announce);
  }

  currentBytes(): Uint8Array | undefined {
    return this.#holder.currentBytes;
  }

  /** The list held, for `/health`: its version, next update and whether it is stale; null when none. */
  health(): RevocationListHealth | null {
    return this.#freshness.health();
  }

  /** Resolves with the version held afterwards; refuses with `revocation_list_invalid` or `revocation_list_stale`. */
  async accept(input: unknown, source: DocumentSource): Promise<number> {
    try {
      return await this.#holder.accept(input, source);
    } catch (error) {
      if (error instanceof DocumentRefusal)
        throw new RelayRefusal(
          error.reason === 'stale' ? 'revocation_list_stale' : 'revocation_list_invalid',
          error.message,
        );
      throw error;
    }
  }

  fetchFromUrl(url: string): Promise<void> {
    return this.#holder.fetchFromUrl(url);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.#holder.start();
  }

  onApplicationShutdown(): void {
    this.#holder.stop();
    this.#freshness.stop();
  }
}
