// npm run admin:reset-link -- <admin id or display name>
//
// For when no administrator can sign in (the last one lost their passkey): prints a one-time link
// (24 hours) with which that administrator registers a new passkey; their old passkeys and
// sessions end when they use it. The same link an administrator's "reset" button makes, audited
// with the actor `system:cli`. It opens the admin database from the app's environment
// (DATABASE_URL, or the embedded database in ADMIN_DB_DIR: stop the admin app first, since the
// embedded database opens in one process at a time).
import { loadServerConfig, databaseConfig } from '../server-config.mjs';
import { createResetLinkFromCli } from '../src/server/auth/reset-link-cli';
import { openDatabase, type AdminDatabase } from '../src/server/db';
import { createAdminServices } from '../src/server/services';
import { errorLine, runCommand } from './cli';

async function main(argv: string[]): Promise<number> {
  const identifier = argv.join(' ').trim();
  if (!identifier || identifier === '--help' || identifier === '-h') {
    console.error('usage: npm run admin:reset-link -- <administrator id or display name>');
    return 2;
  }
  let database: AdminDatabase | undefined;
  try {
    const config = loadServerConfig(process.env);
    database = await openDatabase(databaseConfig(config), { poolSize: 1 });
    const services = createAdminServices(database.prisma, config);
    try {
      const { link, expiresAt, admin } = await createResetLinkFromCli(services, identifier);
      console.log(
        `admin: one-time passkey reset link for ${admin.displayName} (${admin.id}), valid until ${expiresAt.toISOString()}; it is shown once:`,
      );
      console.log(link);
      return 0;
    } finally {
      services.pusher.close();
    }
  } catch (error) {
    console.error(`admin:reset-link: ${errorLine(error)}`);
    return 1;
  } finally {
    await database?.close().catch(() => undefined);
  }
}

runCommand('admin:reset-link', main);
