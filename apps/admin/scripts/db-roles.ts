// npm run admin:db-roles [-- --app-role <name>]
//
// Sets up the app's PostgreSQL role (docs/decisions/0008-audit-log.md): run as the role that owns
// the admin schema (ADMIN_MIGRATION_DATABASE_URL, or DATABASE_URL when that is the owner). The app
// role gets the rows of every table, only INSERT and SELECT on the audit tables, no ownership, no
// TRUNCATE, no DDL, and default privileges so that later migrations' tables are covered. Without
// --app-role, the app role is DATABASE_URL's user; a missing role is created with DATABASE_URL's
// password (needs CREATEROLE). Idempotent; the admin app and `db:migrate:deploy` re-run it
// whenever both URLs are set. Prints nothing secret.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { passwordOfUrl, roleOfUrl, setUpAppRole } from '../src/server/db/database-roles.mjs';
import { runCommand } from './cli';

const USAGE =
  'usage: ADMIN_MIGRATION_DATABASE_URL=<owner URL> DATABASE_URL=<app URL> npm run admin:db-roles [-- --app-role <name>]';

async function main(argv: string[]): Promise<number> {
  let appRoleOption: string | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { 'app-role': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    appRoleOption = values['app-role'];
  } catch (error) {
    console.error(`admin:db-roles: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const appUrl = process.env.DATABASE_URL?.trim() || undefined;
  const ownerUrl = process.env.ADMIN_MIGRATION_DATABASE_URL?.trim() || appUrl;
  if (!ownerUrl) {
    console.error(
      "admin:db-roles: PostgreSQL only (the embedded database has a single role): set ADMIN_MIGRATION_DATABASE_URL to the owner's connection",
    );
    return 2;
  }
  const appRole =
    appRoleOption ?? (process.env.ADMIN_MIGRATION_DATABASE_URL?.trim() && appUrl ? roleOfUrl(appUrl) : undefined);
  if (!appRole) {
    console.error(`admin:db-roles: name the app role with --app-role, or set DATABASE_URL to its connection\n${USAGE}`);
    return 2;
  }
  const client = new pg.Client({ connectionString: ownerUrl });
  try {
    await client.connect();
    const password = appUrl && roleOfUrl(appUrl) === appRole ? passwordOfUrl(appUrl) : undefined;
    const done = await setUpAppRole(client, { appRole, password });
    console.log(
      `admin:db-roles: ${appRole}${done.created ? ' (created)' : ''} may use the rows of ${done.tables} tables in schema ${done.schema}; ` +
        `audit_events and audit_checkpoints: INSERT and SELECT only; owner: ${done.owner}`,
    );
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`admin:db-roles: ${message.replace(/\s*\n\s*/g, ' ')}`);
    return 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

runCommand('admin:db-roles', main);
