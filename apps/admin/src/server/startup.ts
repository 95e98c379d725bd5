import { encodeHex } from '@opendescent/protocol';
import { ensureSetupLink } from './auth/one-time-secrets';
import { HOUSEKEEPING_INTERVAL_MS, runHousekeeping } from './housekeeping';
import { backfillAddressSkeletons } from './members/address-skeletons';
import { activeSigner, ensureOrganisation } from './org/organisation';
import { OrgKeyUnavailableError } from './org/org-key-sealing';
import { adminLog } from './log.mjs';
import { refreshIntervalMs, refreshRevocationList } from './revocation/list-refresh';
import { pushCurrentList } from './revocation/revocation';
import { adminServices } from './services';
import { pushCurrentTokenKeySet } from './tokens/token-keys';

/**
 * The admin app's start-up work and its timers. Returns what stops the timers (the process never
 * needs it; a test that starts the app must call it, or the timers outlive the test's database).
 */
export async function startAdminApp(): Promise<() => void> {
  const timers: NodeJS.Timeout[] = [];
  const stop = () => {
    for (const timer of timers) clearInterval(timer);
  };
  try {
    const s = await adminServices();
    const orgId = await ensureOrganisation(s);
    // Opens the active key now, so a wrong master key stops the start rather than the first enrolment.
    await activeSigner(s);
    adminLog().info({ event: 'started', orgId: encodeHex(orgId), publicUrl: s.config.publicUrl }, 'admin app started');
    const setupLink = await ensureSetupLink(s);
    if (setupLink) {
      // The one place a secret is shown: there is no administrator yet to show it to. On stdout as
      // a plain line, once, never in the structured log (scripts/start.mjs picks it from there).
      process.stdout.write(
        `admin: no administrator yet. Open this one-time setup link within 24 hours to register the first passkey: ${setupLink}\n`,
      );
      adminLog().info({ event: 'setup_link.shown' }, 'no administrator yet: the setup link was printed on the console');
    }
    if (s.config.relayUrls.length)
      adminLog().info(
        { event: 'relays', relayUrls: s.config.relayUrls },
        'revocation lists and token key sets are pushed to the relays',
      );
    await backfillAddressSkeletons(s, (line) => adminLog().warn({ event: 'address_skeletons.backfill' }, line));
    // A stored list of the older format (version 1, attestations.md §3.5) is re-signed as the
    // current format before anything serves or pushes it; a list past half-life is replaced too.
    await refreshRevocationList(s);
    await pushCurrentList(s);
    // Housekeeping makes the token issuer keys and their first set (and pushes any new set); the
    // relays are told the current one either way.
    await runHousekeeping(s);
    await pushCurrentTokenKeySet(s);
    const timer = setInterval(() => {
      runHousekeeping(s).catch((error: unknown) =>
        adminLog().warn({ event: 'housekeeping_failed', err: error }, 'housekeeping failed'),
      );
    }, HOUSEKEEPING_INTERVAL_MS);
    timer.unref();
    timers.push(timer);
    // A validity shorter than four housekeeping intervals needs its own, shorter check, so that
    // the list is replaced between its half-life and its next update (list-refresh.ts).
    const refreshMs = refreshIntervalMs(s.config.revocationListValiditySeconds, HOUSEKEEPING_INTERVAL_MS);
    if (refreshMs < HOUSEKEEPING_INTERVAL_MS) {
      const refreshTimer = setInterval(() => {
        refreshRevocationList(s).catch((error: unknown) =>
          adminLog().warn({ event: 'revocation_list.refresh_failed', err: error }, 'revocation list refresh failed'),
        );
      }, refreshMs);
      refreshTimer.unref();
      timers.push(refreshTimer);
    }
  } catch (error) {
    if (error instanceof OrgKeyUnavailableError || (error instanceof Error && error.name === 'MasterKeyError')) {
      adminLog().fatal(
        { event: 'org_key_unavailable', err: error },
        `cannot use the organisation key: ${error.message}`,
      );
      process.exit(1);
    }
    // Serve anyway (the health check reports the database); say why start-up work failed.
    adminLog().error({ event: 'startup_failed', err: error }, 'start-up failed');
  }
  return stop;
}
