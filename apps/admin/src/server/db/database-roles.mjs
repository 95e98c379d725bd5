// Two PostgreSQL roles for the admin database (docs/decisions/0008-audit-log.md): the owner owns the
// schema and runs the migrations; the app's role (DATABASE_URL) reads and writes rows, and on the
// audit tables may only INSERT and SELECT. It owns nothing, so it can neither disable the audit
// log's triggers nor alter, truncate or drop a table.
//
// setUpAppRole() runs as the owner, is idempotent, and is re-run after every migration (a new
// table gets the app's grants from the default privileges, and this re-checks the whole set).

import pg from 'pg';

/** Tables the app may only append to and read: the audit log, its checkpoints, the signed token key sets. */
export const APPEND_ONLY_TABLES = ['audit_events', 'audit_checkpoints', 'token_key_sets'];
/** The migration history: the app reads it (the start-up "no pending migrations" check), never writes it. */
const READ_ONLY_TABLES = ['_prisma_migrations'];
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class DatabaseRoleError extends Error {
  name = 'DatabaseRoleError';
}

/** The user a postgresql:// URL connects as (decoded), or undefined. */
export function roleOfUrl(url) {
  try {
    const user = decodeURIComponent(new URL(url).username);
    return user || undefined;
  } catch {
    return undefined;
  }
}

/** The password of a postgresql:// URL (decoded), or undefined. Never logged. */
export function passwordOfUrl(url) {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gives `appRole` what the admin app needs, and checks that it has nothing more.
 * Connect `client` as the owner of the admin tables. When the role does not exist and `password`
 * is given, it is created (LOGIN, that password), which needs CREATEROLE; the password is sent
 * as a literal inside the statement, never logged.
 * @param {import('pg').ClientBase} client
 * @param {{ appRole: string, password?: string }} options
 * @returns {Promise<{ owner: string, schema: string, tables: number, created: boolean }>}
 */
export async function setUpAppRole(client, { appRole, password }) {
  if (!ROLE_NAME.test(appRole)) {
    throw new DatabaseRoleError(
      `the app role must be a plain lower-case PostgreSQL name ([a-z_][a-z0-9_]*), got ${JSON.stringify(appRole)}`,
    );
  }
  const { rows: whoRows } = await client.query('SELECT current_user AS owner, current_schema() AS schema');
  const { owner, schema } = whoRows[0];
  if (appRole === owner) {
    throw new DatabaseRoleError(
      `connect as the owner of the admin tables, not as the app role ${appRole} (set ADMIN_MIGRATION_DATABASE_URL)`,
    );
  }
  const created = await ensureRole(client, appRole, password);
  const id = (name) => client.escapeIdentifier(name);
  const app = id(appRole);
  const s = id(schema);

  const { rows: foreign } = await client.query(
    `SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
     WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'S', 'v', 'm') AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)`,
    [schema],
  );
  if (foreign.length > 0) {
    const list = foreign.map((row) => `${row.relname} (owned by ${row.owner})`).join(', ');
    throw new DatabaseRoleError(
      `run this as the role that owns the admin tables; these are owned by another role: ${list}. ` +
        `Hand them over first, e.g. REASSIGN OWNED BY <old owner> TO ${owner} (as a superuser).`,
    );
  }

  await client.query('BEGIN');
  try {
    // PostgreSQL < 15 lets every role create objects in the public schema. Revoking needs the
    // schema's owner; whether it worked is checked below either way.
    await client.query('SAVEPOINT revoke_create');
    try {
      await client.query(`REVOKE CREATE ON SCHEMA ${s} FROM PUBLIC`);
      await client.query('RELEASE SAVEPOINT revoke_create');
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT revoke_create');
    }
    await client.query(`REVOKE CREATE ON SCHEMA ${s} FROM ${app}`);
    await client.query(`GRANT USAGE ON SCHEMA ${s} TO ${app}`);
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM ${app}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${app}`);
    const appendOnly = await existing(client, schema, APPEND_ONLY_TABLES);
    if (appendOnly.length > 0)
      await client.query(`REVOKE UPDATE, DELETE ON ${appendOnly.map(id).join(', ')} FROM ${app}`);
    const readOnly = await existing(client, schema, READ_ONLY_TABLES);
    if (readOnly.length > 0)
      await client.query(`REVOKE INSERT, UPDATE, DELETE ON ${readOnly.map(id).join(', ')} FROM ${app}`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${s} FROM ${app}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${app}`);
    // Tables that later migrations create (as the owner) get the same row privileges at once.
    await client.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${id(owner)} IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`,
    );
    await client.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${id(owner)} IN SCHEMA ${s} GRANT USAGE, SELECT ON SEQUENCES TO ${app}`,
    );
    await checkAppRole(client, appRole, owner, schema);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const { rows: countRows } = await client.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1`, [
    schema,
  ]);
  return { owner, schema, tables: countRows[0].n, created };
}

async function ensureRole(client, appRole, password) {
  const { rows } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [appRole]);
  if (rows.length > 0) return false;
  if (!password) {
    throw new DatabaseRoleError(
      `the role ${appRole} does not exist: create it first (as a superuser or a CREATEROLE role): CREATE ROLE ${appRole} LOGIN PASSWORD '…'`,
    );
  }
  try {
    await client.query(
      `CREATE ROLE ${client.escapeIdentifier(appRole)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD ${client.escapeLiteral(password)}`,
    );
  } catch (error) {
    // The message names the role only: the statement (and its password) is never repeated.
    throw new DatabaseRoleError(
      `the role ${appRole} does not exist and this connection may not create it (${error?.code === '42501' ? 'no CREATEROLE' : error?.message}): ` +
        `create it as a superuser: CREATE ROLE ${appRole} LOGIN PASSWORD '…', then run this again`,
    );
  }
  return true;
}

async function existing(client, schema, tables) {
  const { rows } = await client.query('SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename = ANY($2)', [
    schema,
    tables,
  ]);
  return rows.map((row) => row.tablename);
}

/** Fails unless the app role ended up with exactly the powers the design gives it. */
async function checkAppRole(client, appRole, owner, schema) {
  const { rows } = await client.query(
    `SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole, pg_has_role($1, $2, 'MEMBER') AS owner_member,
            has_schema_privilege($1, $3, 'CREATE') AS can_create,
            (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned
     FROM pg_roles r WHERE r.rolname = $1`,
    [appRole, owner, schema],
  );
  const role = rows[0];
  const problems = [];
  if (role.rolsuper) problems.push('it is a superuser (ALTER ROLE … NOSUPERUSER)');
  if (role.rolbypassrls) problems.push('it bypasses row security');
  if (role.rolcreaterole) problems.push('it may create roles (ALTER ROLE … NOCREATEROLE)');
  if (role.owner_member) problems.push(`it is a member of the owner role ${owner}`);
  if (role.can_create)
    problems.push(
      `it may create objects in the schema ${schema} (REVOKE CREATE ON SCHEMA ${schema} FROM PUBLIC, as the schema's owner)`,
    );
  if (role.owned > 0) problems.push(`it owns ${role.owned} relation(s) (REASSIGN OWNED BY ${appRole} TO ${owner})`);
  for (const table of await existing(client, schema, APPEND_ONLY_TABLES)) {
    const { rows: privileges } = await client.query(
      `SELECT p FROM unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER']) AS p WHERE has_table_privilege($1, format('%I.%I', $2::text, $3::text), p)`,
      [appRole, schema, table],
    );
    if (privileges.length > 0) problems.push(`it still has ${privileges.map((row) => row.p).join(', ')} on ${table}`);
  }
  if (problems.length > 0)
    throw new DatabaseRoleError(`the app role ${appRole} has more power than it should: ${problems.join('; ')}`);
}

/**
 * Connects to `ownerUrl` and sets up the role `appUrl` connects as (creating it with that URL's
 * password when missing). For the start-up step and the CLI; prints nothing.
 */
export async function setUpAppRoleFromUrls(ownerUrl, appUrl, { appRole } = {}) {
  const role = appRole ?? roleOfUrl(appUrl);
  if (!role)
    throw new DatabaseRoleError(
      'DATABASE_URL names no user: the app role is the user it connects as (postgresql://opendescent_app:…@host/db)',
    );
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    return await setUpAppRole(client, {
      appRole: role,
      password: role === roleOfUrl(appUrl) ? passwordOfUrl(appUrl) : undefined,
    });
  } finally {
    await client.end();
  }
}
