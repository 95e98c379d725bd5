import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  ORG_KEY_STATEMENT_BYTES,
  ProtocolError,
  applyOrgKeyStatements,
  honouredOrgKeys,
  orgDocumentSchema,
  type PinnedOrgKeys,
  type TrustedOrgKey,
} from '@opendescent/protocol';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';

/**
 * A document signed by a key not honoured asks for a refresh at most this often, so that anyone
 * pushing documents under made-up keys cannot make the relay hammer the admin app (relay.md §7.2).
 */
export const ORG_KEYS_ON_DEMAND_SECONDS = 60;
/** Far above any organisation document (64 keys, 64 statements of 135 bytes, in base64url JSON). */
export const MAX_ORG_DOCUMENT_BYTES = 64 * 1024;

/** What `GET /health` says about the organisation's keys (relay.md §7.2): numbers and codes only. */
export interface OrgKeysHealth {
  /** The sequence of the last statement applied (0: the configured keys as they are). */
  readonly sequence: number;
  /** Keys honoured now. */
  readonly honoured: number;
  /** Unix seconds of the last organisation document read and applied; null: never. */
  readonly checkedAt: number | null;
  /** Why the last document, or a statement in it, was refused; null when it applied cleanly. */
  readonly alert: string | null;
}

/**
 * The organisation keys this relay honours (relay.md §7.2, attestations.md §4.3). It pins the
 * configured keys (`RELAY_ORG_PUBLIC_KEYS`) and follows the organisation's rotations through its
 * key statements only, as clients do: the organisation document (`RELAY_ORG_URL`, admin-api.md
 * §9.1) is fetched at start, every `RELAY_ORG_REFRESH_SECONDS`, and when a revocation list or token
 * key set names a signer not honoured; a new key needs a statement signed by a key already
 * honoured, and a retired key is dropped at its stated end, so neither that URL nor the store can
 * add a key. The statements applied are kept in the store, so a node restarted with an older
 * configuration, or a node without the URL, follows them too, verifying each itself. A refused
 * statement or an unusable document changes nothing and is logged and reported, never skipped in
 * silence.
 */
@Injectable()
export class OrgKeyService implements OnApplicationBootstrap, OnApplicationShutdown {
  #pinned: PinnedOrgKeys | undefined;
  #checkedAt: number | null = null;
  #alert: string | null = null;
  #started: Promise<void> | undefined;
  #running: Promise<boolean> | undefined;
  #lastOnDemand = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  readonly #listeners: (() => void)[] = [];

  constructor(@Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime) {
    const { RELAY_ORG_ID: orgId, RELAY_ORG_PUBLIC_KEYS: keys } = runtime.config;
    this.#pinned =
      orgId === undefined ? undefined : { orgId, keys: (keys ?? []).map((publicKey) => ({ publicKey })), sequence: 0 };
  }

  /** The keys honoured now: none when unconfigured, so nothing verifies and nobody signs in. */
  trusted(): readonly TrustedOrgKey[] {
    return this.#pinned ? honouredOrgKeys(this.#pinned, this.#nowSeconds()) : [];
  }

  /**
   * Runs `verify` with the keys honoured now; when it refuses the document as signed by a key not
   * honoured, the organisation's keys are read again (at most once per ORG_KEYS_ON_DEMAND_SECONDS,
   * or the read already under way is awaited) and, if they changed, `verify` runs once more.
   */
  async verifying<T>(verify: (keys: readonly TrustedOrgKey[]) => Promise<T>): Promise<T> {
    try {
      return await verify(this.trusted());
    } catch (error) {
      if (!(error instanceof ProtocolError) || error.code !== 'unknown_signer') throw error;
      if (!(await this.#refreshOnDemand())) throw error;
      return verify(this.trusted());
    }
  }

  /** Called after a refresh that changed the keys honoured (the documents' URLs are fetched again). */
  onChanged(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** The first read (store, then URL), once; the document services await it before their own start. */
  ready(): Promise<void> {
    this.#started ??= this.refresh().then(() => undefined);
    return this.#started;
  }

  /** Reads the stored statements and the organisation document; true when the keys honoured changed. */
  refresh(): Promise<boolean> {
    this.#running ??= this.#readAndApply().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  health(): OrgKeysHealth | null {
    if (!this.#pinned) return null;
    return {
      sequence: this.#pinned.sequence,
      honoured: this.trusted().length,
      checkedAt: this.#checkedAt,
      alert: this.#alert,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ready();
    const seconds = this.runtime.config.RELAY_ORG_REFRESH_SECONDS;
    if (this.#pinned && this.runtime.config.RELAY_ORG_URL) {
      this.#timer = setInterval(() => void this.refresh(), seconds * 1000);
      this.#timer.unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.#timer);
  }

  async #refreshOnDemand(): Promise<boolean> {
    if (this.#running) return this.#running;
    const now = this.#nowSeconds();
    if (now - this.#lastOnDemand < ORG_KEYS_ON_DEMAND_SECONDS) return false;
    this.#lastOnDemand = now;
    return this.refresh();
  }

  async #readAndApply(): Promise<boolean> {
    if (!this.#pinned) return false;
    const before = this.trusted();
    const stored = await this.runtime.store.document('org_key_statements').catch(() => undefined);
    if (stored) await this.#apply(splitStatements(stored), 'store');
    const url = this.runtime.config.RELAY_ORG_URL;
    if (url) {
      const statements = await this.#fetch(url);
      if (statements) await this.#apply(statements, 'url');
    }
    const after = this.trusted();
    const changed =
      before.length !== after.length || before.some((key, i) => !sameBytes(key.publicKey, after[i]?.publicKey));
    if (changed) for (const listener of this.#listeners) listener();
    return changed;
  }

  /** The document's statements, or undefined (logged, alert set) when it cannot be used. */
  async #fetch(url: string): Promise<Uint8Array[] | undefined> {
    let text: string;
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(10_000),
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = await response.text();
    } catch (error) {
      // Unreachable: the keys held stay, and so does the last alert; /health shows when it last read one.
      this.runtime.logger.warn(
        { event: 'org_keys_unavailable', reason: error instanceof Error ? error.message : String(error) },
        'could not get the organisation document',
      );
      return undefined;
    }
    if (text.length > MAX_ORG_DOCUMENT_BYTES) return this.#refuseDocument('oversized');
    const parsed = orgDocumentSchema.safeParse(parseJson(text));
    if (!parsed.success) return this.#refuseDocument('malformed');
    if (!sameBytes(parsed.data.orgId, this.#pinned?.orgId)) return this.#refuseDocument('wrong_organisation');
    return [...parsed.data.statements];
  }

  #refuseDocument(code: string): undefined {
    this.#alert = code;
    this.runtime.logger.warn({ event: 'org_document_refused', code }, 'organisation document refused');
    return undefined;
  }

  async #apply(statements: readonly Uint8Array[], source: 'store' | 'url'): Promise<void> {
    const pinned = this.#pinned;
    if (!pinned) return;
    const result = await applyOrgKeyStatements(pinned, statements, this.#nowSeconds());
    this.#pinned = result.pinned;
    for (const refused of result.refused)
      this.runtime.logger.warn(
        { event: 'org_key_statement_refused', sequence: refused.sequence ?? null, code: refused.code, source },
        'organisation key statement refused',
      );
    if (source === 'url') {
      this.#checkedAt = this.#nowSeconds();
      this.#alert = result.refused[0]?.code ?? null;
    }
    if (result.applied === 0) return;
    this.runtime.logger.info(
      { event: 'org_keys_followed', sequence: result.pinned.sequence, honoured: this.trusted().length, source },
      'organisation key statements applied',
    );
    if (source === 'url') {
      const bytes = joinStatements(statements);
      await this.runtime.store
        .offerDocument('org_key_statements', result.pinned.sequence, bytes)
        .catch((error: unknown) =>
          this.runtime.logger.warn(
            { event: 'org_key_statements_not_stored', err: error },
            'could not store the statements',
          ),
        );
    }
  }

  #nowSeconds(): number {
    return Math.floor(this.runtime.clock() / 1000);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Public values only (keys, the organisation id): no need for a constant-time comparison. */
function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  return b !== undefined && Buffer.from(a).equals(b);
}

/** The store keeps the statements end to end: each is exactly ORG_KEY_STATEMENT_BYTES long. */
function joinStatements(statements: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(statements.length * ORG_KEY_STATEMENT_BYTES);
  statements.forEach((statement, i) => bytes.set(statement, i * ORG_KEY_STATEMENT_BYTES));
  return bytes;
}

function splitStatements(bytes: Uint8Array): Uint8Array[] {
  const statements: Uint8Array[] = [];
  for (let at = 0; at + ORG_KEY_STATEMENT_BYTES <= bytes.length; at += ORG_KEY_STATEMENT_BYTES)
    statements.push(bytes.slice(at, at + ORG_KEY_STATEMENT_BYTES));
  return statements;
}
