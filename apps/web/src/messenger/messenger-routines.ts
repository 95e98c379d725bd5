import { ATTACHMENT_RETRY_MS, type AttachmentTransfers } from './attachment-transfers';
import type { MessengerContext } from './context';
import type { DirectChannels } from './direct/direct-channels';
import { GROUP_RETRY_MS, type GroupDelivery } from './group-delivery';
import type { QueueRepair } from './intros';
import { LOG_CHECK_MS, PENDING_RETRY_MS, type LogMonitor } from './log-monitor';
import { ORG_KEYS_REFRESH_MS, type OrgKeys } from './org-keys';
import type { Outbox } from './outbox';
import type { Prekeys } from './prekeys';
import { pruneServedFiles } from './direct/served-files';
import { pruneSeen, sweepExpired } from './retention';
import type { Revocation } from './revocation';
import type { Scheduler } from './scheduler';
import { OWN_DEVICES_CHECK_MS, type UserKey } from './user-key';

const PREKEY_CHECK_MS = 15 * 60_000;
const SEEN_PRUNE_MS = 3_600_000;

/** The parts of the messenger its timers drive. */
export interface RoutineParts {
  readonly groupDelivery: GroupDelivery;
  readonly outbox: Outbox;
  readonly attachments: AttachmentTransfers;
  readonly repair: QueueRepair;
  readonly direct: DirectChannels;
  readonly revocation: Revocation;
  readonly userKey: UserKey;
  readonly orgKeys: OrgKeys;
  readonly logMonitor: LogMonitor;
  readonly prekeys: Prekeys;
  /** Renews the enrolment when it is due (Messenger.renew). */
  readonly renew: () => Promise<void>;
}

/**
 * Starts the messenger's periodic work, once the device is enrolled and unlocked: expiry, retries
 * of what could not go, checks of the revocation list, the log and the user key, prekeys, and the
 * first runs of the checks that should not wait a whole period. The scheduler stops them all.
 */
export function startRoutines(ctx: MessengerContext, scheduler: Scheduler, parts: RoutineParts): void {
  scheduler.every(1_000, () => ctx.exclusive(() => sweepExpired(ctx)));
  scheduler.every(GROUP_RETRY_MS, () => retryGroupChanges(ctx, parts));
  // Blobs a relay could not take for now (outbox-retry.ts): sent again when their wait is over.
  scheduler.every(1_000, () => (parts.outbox.retry.take() ? parts.outbox.flush() : undefined));
  scheduler.every(ATTACHMENT_RETRY_MS, () => parts.attachments.resume());
  scheduler.every(3_000, () => parts.repair.refreshIntros());
  scheduler.every(3_000, () => parts.direct.recheck());
  scheduler.every(3_000, () => (parts.repair.pending ? ctx.exclusive(() => parts.repair.recoverLost()) : undefined));
  scheduler.every(ctx.env.revocationPollMs, () => parts.revocation.check());
  scheduler.every(60_000, () => parts.renew());
  scheduler.every(Math.min(60_000, ctx.env.ownDevicesCheckMs ?? OWN_DEVICES_CHECK_MS), () => parts.userKey.settle());
  void parts.userKey.settle().catch(() => undefined);
  scheduler.every(ORG_KEYS_REFRESH_MS, () => parts.orgKeys.refresh());
  scheduler.every(ctx.env.logCheckMs ?? LOG_CHECK_MS, () => parts.logMonitor.check());
  void parts.logMonitor.check().catch(() => undefined);
  // Blobs wait for a device's first log check that failed (the admin app out of reach): try again.
  scheduler.every(PENDING_RETRY_MS, () => (parts.outbox.holdingForLog ? parts.logMonitor.check() : undefined));
  scheduler.every(PREKEY_CHECK_MS, () => parts.prekeys.maintain());
  scheduler.every(SEEN_PRUNE_MS, () =>
    ctx.exclusive(async () => {
      await pruneSeen(ctx);
      await pruneServedFiles(ctx);
    }),
  );
  void parts.revocation.check().catch(() => undefined);
}

/** Group changes that could not reach a device: the branch is sent again (group-delivery.ts). */
async function retryGroupChanges(ctx: MessengerContext, parts: RoutineParts): Promise<void> {
  if (parts.groupDelivery.idle) return;
  await ctx.exclusive(async () => {
    const tx = ctx.tx();
    await parts.groupDelivery.retryOwed(tx);
    await ctx.commit(tx);
  });
  parts.outbox.flushSoon();
}
