import { ensureSetupLink } from './auth/one-time-secrets';
import { HOUSEKEEPING_INTERVAL_MS, runHousekeeping } from './housekeeping';
import { backfillAddressSkeletons } from './members/address-skeletons';
import { activeSigner, ensureOrganisation } from './org/organisation';
import { OrgKeyUnavailableError } from './org/org-key-sealing';
import { toHex } from './http/encoding';
import { adminLog } from './log.mjs';
import { pushCurrentList } from './revocation/revocation';
import { adminServices } from './services';

export async function startAdminApp(): Promise<void> {
  try {
    const s = await adminServices();
    const orgId = await ensureOrganisation(s);
    // Opens the active key now, so a wrong master key stops the start rather than the first enrolment.
    await activeSigner(s);
    adminLog().info({ event: 'started', orgId: toHex(orgId), publicUrl: s.config.publicUrl }, 'admin app started');
    const setupLink = await ensureSetupLink(s);
    if (setupLink) {
      // The one place a secret is shown: there is no administrator yet to show it to. On stdout as
      // a plain line, once, never in the structured log (scripts/start.mjs picks it from there).
      process.stdout.write(`admin: no administrator yet. Open this one-time setup link within 24 hours to register the first passkey: ${setupLink}\n`);
      adminLog().info({ event: 'setup_link.shown' }, 'no administrator yet: the setup link was printed on the console');
    }
    if (s.config.relayUrls.length) adminLog().info({ event: 'relays', relayUrls: s.config.relayUrls }, 'revocation lists are pushed to the relays');
    await backfillAddressSkeletons(s, (line) => adminLog().warn({ event: 'address_skeletons.backfill' }, line));
    await pushCurrentList(s);
    await runHousekeeping(s);
    const timer = setInterval(() => {
      runHousekeeping(s).catch((error: unknown) => adminLog().warn({ event: 'housekeeping_failed', err: error }, 'housekeeping failed'));
    }, HOUSEKEEPING_INTERVAL_MS);
    timer.unref();
  } catch (error) {
    if (error instanceof OrgKeyUnavailableError || (error instanceof Error && error.name === 'MasterKeyError')) {
      adminLog().fatal({ event: 'org_key_unavailable', err: error }, `cannot use the organisation key: ${error.message}`);
      process.exit(1);
    }
    // Serve anyway (the health check reports the database); say why start-up work failed.
    adminLog().error({ event: 'startup_failed', err: error }, 'start-up failed');
  }
}
