// The admin app's server commands (`npm run admin:*`) as an operator runs them: a separate process
// on an embedded database of the test's own, with none of the environment's PostgreSQL or key
// settings leaking in.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { openDatabase, type AdminDatabase } from '../../src/server/db';

const ROOT = path.resolve(__dirname, '../../../..');

export interface CommandRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run --silent <script> -- <args>` against the embedded database in `dir`. */
export function runAdminCommand(
  script: string,
  dir: string,
  args: readonly string[],
  env: Record<string, string> = {},
): CommandRun {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ADMIN_DB_DIR: dir, ...env };
  for (const name of ['DATABASE_URL', 'ADMIN_MIGRATION_DATABASE_URL', 'ADMIN_MASTER_KEY', 'ADMIN_MASTER_KEY_FILE']) {
    if (!(name in env)) delete childEnv[name];
  }
  const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: ROOT,
    env: childEnv,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Opens the embedded database in `dir` for the test's own reads and writes, and closes it. */
export async function withEmbeddedDatabase<T>(dir: string, use: (db: AdminDatabase) => Promise<T>): Promise<T> {
  const db = await openDatabase({ kind: 'embedded', dir });
  try {
    return await use(db);
  } finally {
    await db.close();
  }
}
