// Prisma Migrate for the admin app, offline: the schema engine runs as WebAssembly
// (apps/admin/src/server/db/schema-engine.mjs), migrations stay in Prisma's own layout and
// `_prisma_migrations` table. Against the embedded database by default (ADMIN_DB_DIR, default
// .data/admin-db), against PostgreSQL when DATABASE_URL is set, as ADMIN_MIGRATION_DATABASE_URL (the
// schema's owner) when that is set; `deploy` then also re-grants the app's role (DATABASE_URL's user).
//
//   node tools/prisma/migrate.mjs create --name <name>  new migration from prisma/schema.prisma
//   node tools/prisma/migrate.mjs deploy                apply pending migrations
//   node tools/prisma/migrate.mjs status                exit 0 only when up to date
//   node tools/prisma/migrate.mjs resolve --rolled-back <migration> | --applied <migration>
//                                                       after fixing a failed migration by hand
// Options: --migrations <dir> (default prisma/migrations), --schema <file> (default prisma/schema.prisma).

import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { migrationDatabaseConfigFromEnv } from '../../apps/admin/src/server/db/database-config.mjs';
import { roleOfUrl, setUpAppRoleFromUrls } from '../../apps/admin/src/server/db/database-roles.mjs';
import { openDatabaseServer } from '../../apps/admin/src/server/db/database-server.mjs';
import {
  applyPendingMigrations,
  createMigration,
  readMigrationStatus,
  resolveMigration,
} from '../../apps/admin/src/server/db/migrations.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const USAGE =
  'usage: node tools/prisma/migrate.mjs <create --name <name> | deploy | status | ' +
  'resolve (--rolled-back | --applied) <migration>> [--migrations <dir>] [--schema <file>]';

async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        'rolled-back': { type: 'string' },
        applied: { type: 'string' },
        migrations: { type: 'string', default: path.join(repoRoot, 'prisma', 'migrations') },
        schema: { type: 'string', default: path.join(repoRoot, 'prisma', 'schema.prisma') },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usageError(error.message);
  }
  const { positionals, values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (extra.length > 0) return usageError(`unexpected arguments: ${extra.join(' ')}`);
  const migrationsDir = path.resolve(values.migrations);
  const shown = path.relative(process.cwd(), migrationsDir) || '.';

  // The owner's connection when ADMIN_MIGRATION_DATABASE_URL is set (docs/decisions/0008-audit-log.md).
  const config = migrationDatabaseConfigFromEnv(process.env, { baseDir: repoRoot });
  // What this creates (a new embedded database) is this user's alone; an embedded data folder
  // open to others is refused when opened (apps/admin src/server/owner-only-files.mjs).
  process.umask(0o077);
  switch (command) {
    case 'create': {
      if (!values.name) return usageError('create needs --name <name>, e.g. --name add_enrolment_codes');
      // Only a shadow database is needed: without DATABASE_URL, an in-memory one, so the real
      // embedded database is neither touched nor locked (the admin app may be running on it).
      const server = await openDatabaseServer(config.kind === 'postgres' ? config : { kind: 'embedded', dir: null });
      try {
        const { created } = await createMigration(server, {
          migrationsDir,
          schemaPath: path.resolve(values.schema),
          name: values.name,
        });
        if (created === null) {
          console.log(`No schema change since the last migration in ${shown}: nothing created.`);
        } else {
          console.log(
            `Created ${path.join(shown, created, 'migration.sql')}. Review it, then apply it with db:migrate:deploy.`,
          );
        }
        return 0;
      } finally {
        await server.close();
      }
    }
    case 'deploy': {
      const started = performance.now();
      const server = await openDatabaseServer(config);
      try {
        const { applied } = await applyPendingMigrations(server, { migrationsDir });
        const took = ((performance.now() - started) / 1000).toFixed(1);
        if (applied.length === 0) console.log(`${server.description}: no pending migrations (${took} s).`);
        else
          console.log(
            `${server.description}: applied ${applied.length} migration(s) in ${took} s:\n${applied.map((n) => `  ${n}`).join('\n')}`,
          );
        await grantAppRoleAfterDeploy(process.env);
        return 0;
      } finally {
        await server.close();
      }
    }
    case 'status': {
      const server = await openDatabaseServer(config);
      try {
        const status = await readMigrationStatus(server, { migrationsDir });
        printStatus(status, shown);
        return status.upToDate ? 0 : 1;
      } finally {
        await server.close();
      }
    }
    case 'resolve': {
      const rolledBack = values['rolled-back'];
      const applied = values.applied;
      if ((rolledBack === undefined) === (applied === undefined)) {
        return usageError('resolve needs exactly one of --rolled-back <migration> or --applied <migration>');
      }
      const server = await openDatabaseServer(config);
      try {
        const migrationName = rolledBack ?? applied;
        await resolveMigration(server, { migrationsDir, migrationName, as: rolledBack ? 'rolledBack' : 'applied' });
        console.log(`${server.description}: marked ${migrationName} as ${rolledBack ? 'rolled back' : 'applied'}.`);
        return 0;
      } finally {
        await server.close();
      }
    }
    default:
      return usageError(command ? `unknown command ${JSON.stringify(command)}` : 'missing command');
  }
}

/**
 * With two roles (ADMIN_MIGRATION_DATABASE_URL the owner, DATABASE_URL the app), new tables get
 * the app's grants and the whole set is re-checked (apps/admin/src/server/db/database-roles.mjs).
 */
async function grantAppRoleAfterDeploy(env) {
  const ownerUrl = env.ADMIN_MIGRATION_DATABASE_URL?.trim();
  const appUrl = env.DATABASE_URL?.trim();
  if (!ownerUrl || !appUrl || roleOfUrl(ownerUrl) === roleOfUrl(appUrl)) return;
  const done = await setUpAppRoleFromUrls(ownerUrl, appUrl);
  console.log(
    `App role ${roleOfUrl(appUrl)}${done.created ? ' (created)' : ''}: rows of ${done.tables} tables in schema ${done.schema}, audit tables insert and select only; owner ${done.owner}.`,
  );
}

function printStatus(status, shown) {
  console.log(`Database: ${status.database}`);
  console.log(`${status.migrations.length} migration(s) in ${shown}`);
  for (const name of status.migrations) {
    const state = status.failed.includes(name) ? 'FAILED ' : status.pending.includes(name) ? 'pending' : 'applied';
    const edited = status.edited.includes(name) ? '  (edited after it was applied)' : '';
    console.log(`  ${state}  ${name}${edited}`);
  }
  for (const name of status.missingFromDisk)
    console.log(`  MISSING  ${name}  (applied to the database, not in ${shown})`);
  if (status.drift !== null) {
    console.log('The database schema has drifted from what the migrations produce. To get there from the migrations:');
    console.log(status.drift.trimEnd().replace(/^/gm, '    '));
  }
  if (status.upToDate) console.log('Database schema is up to date.');
  else if (status.failed.length > 0) {
    console.log('A migration failed. Undo what it did, then `resolve --rolled-back <migration>` and deploy again;');
    console.log('or finish it by hand, then `resolve --applied <migration>`.');
  } else if (status.pending.length > 0 && status.missingFromDisk.length === 0)
    console.log('Pending migrations: run db:migrate:deploy.');
  else console.log('The database and the migrations folder disagree: see above.');
}

function usageError(message) {
  console.error(`${message}\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`migrate: ${error?.message ?? error}`);
    process.exit(1);
  },
);
