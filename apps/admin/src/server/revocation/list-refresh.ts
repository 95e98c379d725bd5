// Keeps the signed revocation list fresh (docs/protocol/attestations.md §3.5, admin-api.md §6.4):
// a list announces its next update, and relays and clients call it stale past that time. So the
// app signs the next version, with the same entries (less those whose attestations have all
// expired, as at every issue), once half of the configured validity has gone, and pushes it to the
// relays as a revocation does. A stored list of an older format (version 1, before §3.5) is
// re-signed at once: the app runs this at start, before it serves or pushes the current list.
// Routine: logged at info without identifiers, not audited. Several instances may run it at once:
// the decision is taken again under the organisation lock, so one of them signs and the others
// find a fresh list.
import { ProtocolError, decodeRevocationList, type RevocationList } from '@opendescent/protocol';
import { adminLog } from '../log.mjs';
import { unixSeconds } from '../http/encoding';
import { activeSigner, ensureOrganisation, lockOrganisation } from '../org/organisation';
import type { AdminServices, Db } from '../services';
import { issueRevocationList, type IssuedList } from './list-issuer';

/** Why a new list is signed now. */
export type RefreshReason = 'half_life' | 'outdated_format' | 'unreadable';

/**
 * Due once half the validity has gone, counted both ways so that a changed setting takes effect
 * too: by age (a list made under a longer validity is replaced at half the new one) and by what is
 * left (a list made under a shorter validity is replaced before it goes stale).
 */
export function refreshDue(
  list: Pick<RevocationList, 'issuedAt' | 'nextUpdate'>,
  nowSeconds: number,
  validitySeconds: number,
): boolean {
  const half = validitySeconds / 2;
  return nowSeconds - list.issuedAt >= half || list.nextUpdate - nowSeconds <= half;
}

/**
 * How often to check: the housekeeping interval, or a quarter of the validity when that is
 * shorter, so that a check always falls between half-life and the next update (with the 2-minute
 * minimum validity: every 30 s, the list replaced with 30 to 60 s to spare).
 */
export function refreshIntervalMs(validitySeconds: number, housekeepingIntervalMs: number): number {
  return Math.min(housekeepingIntervalMs, (validitySeconds * 1000) / 4);
}

async function reasonToRefresh(db: Db, nowSeconds: number, validitySeconds: number): Promise<RefreshReason | null> {
  const newest = await db.revocationList.findFirst({ orderBy: { version: 'desc' }, select: { bytes: true } });
  // ensureOrganisation issues version 1 with the organisation: no list means no organisation yet.
  if (!newest) return null;
  let list: RevocationList;
  try {
    list = decodeRevocationList(new Uint8Array(newest.bytes)).list;
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return error.code === 'version_too_old' ? 'outdated_format' : 'unreadable';
  }
  return refreshDue(list, nowSeconds, validitySeconds) ? 'half_life' : null;
}

/**
 * The revocation_lists trigger (or the primary key) refused the version: another instance signed
 * it between our decision and our insert. Only possible without the organisation lock; kept as a
 * second line so that a race never fails housekeeping.
 */
function anotherInstanceSignedIt(error: unknown): boolean {
  const text = error instanceof Error ? `${(error as { code?: unknown }).code ?? ''} ${error.message}` : '';
  return /P2002|revocation_lists: version \d+ does not go up|revocation_lists_pkey/.test(text);
}

/** One check; signs and pushes a new list when due. Returns it, or undefined when none was due. */
export async function refreshRevocationList(s: AdminServices): Promise<IssuedList | undefined> {
  await ensureOrganisation(s);
  const validity = s.config.revocationListValiditySeconds;
  // Cheap when nothing is due (the common case): one row read, no key opened, no lock taken.
  if ((await reasonToRefresh(s.prisma, unixSeconds(s.now()), validity)) === null) return undefined;
  const signer = await activeSigner(s); // opened outside the transaction (PGlite: one client inside)
  const now = s.now();
  let outcome: { list: IssuedList; reason: RefreshReason } | undefined;
  try {
    outcome = await s.prisma.$transaction(async (tx) => {
      await lockOrganisation(tx);
      const reason = await reasonToRefresh(tx, unixSeconds(now), validity);
      if (reason === null) return undefined; // another instance, or a revocation, got there first
      return { list: await issueRevocationList(tx, signer.orgId, signer, now, validity), reason };
    });
  } catch (error) {
    if (anotherInstanceSignedIt(error)) return undefined;
    throw error;
  }
  if (!outcome) return undefined;
  adminLog().info(
    { event: 'revocation_list.refreshed', listVersion: outcome.list.version, reason: outcome.reason },
    'signed the next revocation list before the current one goes stale',
  );
  s.pusher.publish(outcome.list.version, outcome.list.bytes);
  return outcome.list;
}
