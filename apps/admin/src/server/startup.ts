import { ensureSetupLink } from './auth/one-time-secrets';
import { HOUSEKEEPING_INTERVAL_MS, purgeExpired } from './housekeeping';
import { activeSigner, ensureOrganisation } from './org/organisation';
import { OrgKeyUnavailableError } from './org/org-key-sealing';
import { toHex } from './http/encoding';
import { pushCurrentList } from './revocation/revocation';
import { adminServices } from './services';

export async function startAdminApp(): Promise<void> {
  try {
    const s = await adminServices();
    const orgId = await ensureOrganisation(s);
    // Opens the active key now, so a wrong master key stops the start rather than the first enrolment.
    await activeSigner(s);
    console.log(`admin: organisation ${toHex(orgId)}; public URL ${s.config.publicUrl}`);
    const setupLink = await ensureSetupLink(s);
    if (setupLink) {
      // The one place a secret is printed: there is no administrator yet to show it to.
      console.log(`admin: no administrator yet. Open this one-time setup link within 24 hours to register the first passkey: ${setupLink}`);
    }
    if (s.config.relayUrls.length) console.log(`admin: revocation lists are pushed to ${s.config.relayUrls.join(', ')}`);
    await pushCurrentList(s);
    await purgeExpired(s);
    const timer = setInterval(() => {
      purgeExpired(s).catch((error: unknown) => console.warn(`admin: housekeeping failed: ${error instanceof Error ? error.message : String(error)}`));
    }, HOUSEKEEPING_INTERVAL_MS);
    timer.unref();
  } catch (error) {
    if (error instanceof OrgKeyUnavailableError || (error instanceof Error && error.name === 'MasterKeyError')) {
      console.error(`admin: cannot use the organisation key: ${error.message}`);
      process.exit(1);
    }
    // Serve anyway (the health check reports the database); say why start-up work failed.
    console.error(`admin: start-up failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}
