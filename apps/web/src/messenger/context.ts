import type { DeviceIdentity } from '@opendescent/crypto';
import type { RevocationList, TrustedOrgKey } from '@opendescent/protocol';
import type { MessageView } from './api';
import type { AttachmentProgress } from './attachment-api';
import { toHex } from './encoding';
import { MessengerError } from './errors';
import { trustedOrgKeys } from './org-keys';
import type { MessengerEnvironment } from './ports';
import { TABLES, type SelfRecord } from './records';
import type { MessageChanges, Transaction, VaultLike } from './transaction';
import { TypingTracker } from './typing';
import { toView, type Viewer } from './views';

/** What the messenger tells the page: the snapshot changed, or a conversation's messages did. */
export type MessengerEvent =
  | { type: 'snapshot' }
  | ({ type: 'attachment_progress' } & AttachmentProgress)
  | { type: 'messages'; conversationId: string }
  | { type: 'typing'; conversationId: string; addresses: readonly string[] }
  | { type: 'messages_changed'; conversationId: string; upserted: readonly MessageView[]; removed: readonly string[] };

/**
 * What every part of the messenger shares (docs/decisions/0011-messenger-split.md): the vault and
 * its transactions, the environment, this device's identity and the revocation list it applied,
 * the one exclusive section every state change runs in, and the events the page is told of.
 * Network calls belong outside `exclusive`; the transaction inside it stays all-or-nothing.
 */
export class MessengerContext {
  identity: DeviceIdentity | undefined;
  revocation: RevocationList | undefined;
  stopped = false;
  /** This run of the messenger (one unlock), random: what it left unfinished is told from its own (attachment-sealing.ts). */
  readonly run = toHex(crypto.getRandomValues(new Uint8Array(16)));
  /** Who is typing where (typing.ts): memory only. */
  readonly typingNow: TypingTracker;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly vault: VaultLike,
    readonly env: MessengerEnvironment,
    readonly tx: () => Transaction,
    private readonly notify: (event: MessengerEvent) => void,
  ) {
    this.typingNow = new TypingTracker(
      () => this.now(),
      (conversationId, addresses) => this.typing(conversationId, addresses),
    );
  }

  /** Nothing more runs: timers end, the page hears no more. */
  stop(): void {
    this.stopped = true;
    this.typingNow.stop();
  }

  get self(): SelfRecord | undefined {
    return this.tx().get<SelfRecord>(TABLES.self, 'device');
  }

  requireSelf(): SelfRecord {
    const self = this.self;
    if (!self || !this.identity) throw new MessengerError('not_enrolled', 'this device is not enrolled yet');
    return self;
  }

  /** This device's id as message identities carry it (hex). */
  selfDeviceHex(): string {
    return toHex(this.requireSelf().deviceId);
  }

  /** This user's preferences (PreferencesView): both on unless turned off. */
  preferences(): { readonly readReceipts: boolean; readonly typingIndicators: boolean } {
    const self = this.self;
    return { readReceipts: self?.readReceipts !== false, typingIndicators: self?.typingIndicators !== false };
  }

  requireIdentity(): DeviceIdentity {
    if (!this.identity) throw new MessengerError('not_enrolled', 'this device is not enrolled yet');
    return this.identity;
  }

  now(): number {
    return this.env.now();
  }

  nowSeconds(): number {
    return Math.floor(this.env.now() / 1000);
  }

  /** The organisation keys honoured now (org-keys.ts): pinned, and not past a stated end. */
  trusted(self: SelfRecord): TrustedOrgKey[] {
    return trustedOrgKeys(self, this.nowSeconds());
  }

  /**
   * Set by the messenger: a document named an organisation key this device does not honour (perhaps
   * a rotation not followed yet). Callable inside `exclusive`: the keys are refreshed in the
   * background, and what waited on them (parked messages, the revocation list) is tried again.
   */
  followOrgKeys: () => void = () => undefined;

  /** Set by the messenger: what each commit did to messages, for the search index (search/). */
  messagesChanged: (changes: readonly MessageChanges[]) => void = () => undefined;

  /** Runs state changes one at a time, in arrival order. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Queues a change for later; its failure is retried by whatever scheduled it (timers, reconnection). */
  later(work: () => Promise<unknown>): void {
    if (this.stopped) return;
    void this.exclusive(work).catch(() => undefined);
  }

  /** Commits a change and tells the page what it touched. */
  async commit(tx: Transaction): Promise<void> {
    await tx.commit();
    this.emitTx(tx);
  }

  /** The page hears what the commit did to messages (deltas), and which conversations it touched. */
  emitTx(tx: Transaction): void {
    if (tx.committedChanges.length > 0) this.messagesChanged(tx.committedChanges);
    for (const change of tx.committedChanges) {
      this.notify({
        type: 'messages_changed',
        conversationId: change.conversationId,
        upserted: change.upserted
          .filter((m) => m.expiresAt === undefined || m.expiresAt > this.now())
          .map((m) => toView(m, this.viewer())),
        removed: change.removed,
      });
    }
    for (const conversationId of tx.touchedConversations) this.notify({ type: 'messages', conversationId });
    this.changed();
  }

  /** Who the message views are for (views.ts toView). */
  viewer(): Viewer {
    return { self: this.self?.address ?? '', readReceipts: this.preferences().readReceipts };
  }

  changed(): void {
    this.notify({ type: 'snapshot' });
  }

  /** Who is typing in a conversation now (typing.ts); never stored. */
  typing(conversationId: string, addresses: readonly string[]): void {
    this.notify({ type: 'typing', conversationId, addresses });
  }

  /** How far a file's transfer has come (attachment-transfers.ts); never stored. */
  progress(progress: AttachmentProgress): void {
    this.notify({ type: 'attachment_progress', ...progress });
  }
}
