import { constantTimeEqual } from '@opendescent/crypto';
import {
  orgDocumentSignerId,
  applyOrgKeyStatements,
  honouredOrgKeys,
  orgKeyId,
  type PinnedOrgKeys,
  type TrustedOrgKey,
} from '@opendescent/protocol';
import type { MessengerContext } from './context';
import { toHex } from './encoding';
import { TABLES, type SelfRecord } from './records';

/** The organisation's keys are fetched again this often (admin-api.md §9.1). */
export const ORG_KEYS_REFRESH_MS = 30 * 60_000;
/** A document signed by a key not pinned asks for a refresh, at most this often. */
export const ORG_KEYS_ON_DEMAND_MS = 60_000;

/** What this device pins for its organisation, from its record (attestations.md §4). */
export function pinnedOrgKeys(self: SelfRecord): PinnedOrgKeys {
  return {
    orgId: self.orgId,
    keys: self.orgKeys.map((publicKey) => {
      const until = self.orgKeyEnds?.[toHex(publicKey)];
      return until === undefined ? { publicKey } : { publicKey, until };
    }),
    sequence: self.orgKeySequence ?? 0,
  };
}

/** The keys this device honours now: pinned, and not past the end a statement gave them. */
export function trustedOrgKeys(self: SelfRecord, nowSeconds: number): TrustedOrgKey[] {
  return honouredOrgKeys(pinnedOrgKeys(self), nowSeconds);
}

/**
 * Follows the organisation's key rotations (attestations.md §4.3): the organisation document is
 * fetched regularly and whenever a document names a signer this device does not honour, and its
 * statements are applied: a new key only through a statement signed by a key already honoured, a
 * retired key dropped at its stated end. A statement that does not verify is shown, never skipped
 * in silence, and changes nothing.
 */
export class OrgKeys {
  private lastOnDemand = Number.NEGATIVE_INFINITY;
  private running: Promise<boolean> | undefined;

  constructor(private readonly ctx: MessengerContext) {}

  /** Fetches the organisation document (outside `exclusive`) and applies it; true when the keys changed. */
  refresh(): Promise<boolean> {
    this.running ??= this.fetchAndApply().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Before verifying an organisation document outside `exclusive`: when it names a signer this
   * device does not honour, perhaps a rotation not followed yet, the keys are refreshed first
   * (at most once per ORG_KEYS_ON_DEMAND_MS). Never call it inside `exclusive` (use `followLater`).
   */
  async followIfUnknown(document: Uint8Array): Promise<void> {
    const self = this.ctx.self;
    if (!self || this.signerHonoured(self, document)) return;
    if (this.ctx.now() - this.lastOnDemand < ORG_KEYS_ON_DEMAND_MS) return;
    this.lastOnDemand = this.ctx.now();
    await this.refresh().catch(() => false);
  }

  /** Inside `exclusive`: the same, in the background; `then` runs once the keys changed. */
  followLater(then: () => void): void {
    if (this.ctx.now() - this.lastOnDemand < ORG_KEYS_ON_DEMAND_MS) return;
    this.lastOnDemand = this.ctx.now();
    void this.refresh()
      .then((changed) => {
        if (changed) then();
      })
      .catch(() => undefined);
  }

  private signerHonoured(self: SelfRecord, document: Uint8Array): boolean {
    const signer = orgDocumentSignerId(document);
    if (!signer) return true;
    return trustedOrgKeys(self, this.ctx.nowSeconds()).some((key) =>
      constantTimeEqual(orgKeyId(key.publicKey), signer),
    );
  }

  private async fetchAndApply(): Promise<boolean> {
    if (!this.ctx.self || this.ctx.stopped) return false;
    const org = await this.ctx.env.admin.org();
    return this.ctx.exclusive(async () => {
      const self = this.ctx.self;
      if (!self || this.ctx.stopped) return false;
      const now = this.ctx.nowSeconds();
      const before = pinnedOrgKeys(self);
      const result = constantTimeEqual(org.orgId, self.orgId)
        ? await applyOrgKeyStatements(before, org.statements, now)
        : { pinned: before, applied: 0, refused: [{ sequence: undefined, code: 'wrong_organisation' }] };
      const pinned = result.pinned;
      const changed =
        result.applied > 0 || pinned.keys.length !== before.keys.length || pinned.sequence !== before.sequence;
      const alert = result.refused[0];
      const ends: Record<string, number> = {};
      for (const key of pinned.keys) if (key.until !== undefined) ends[toHex(key.publicKey)] = key.until;
      const updated: SelfRecord = {
        ...self,
        orgKeys: pinned.keys.map((key) => key.publicKey),
        orgKeyEnds: ends,
        orgKeySequence: pinned.sequence,
        orgKeysCheckedAt: this.ctx.now(),
        // Until the next refresh that verifies: the page shows it (a refused statement is never silent).
        orgKeyAlert: alert ? { code: alert.code, at: this.ctx.now() } : undefined,
      };
      const tx = this.ctx.tx();
      tx.put(TABLES.self, 'device', updated);
      await this.ctx.commit(tx);
      return changed;
    });
  }
}
