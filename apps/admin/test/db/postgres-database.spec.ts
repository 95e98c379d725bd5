import crypto from 'node:crypto';
import { Client } from 'pg';
import { adminDatabaseSuite } from './admin-database-suite';

// Runs against the PostgreSQL server DATABASE_URL names, in a throwaway database created for
// this run and dropped afterwards; the database in the URL itself is only used to create it.
// Locally: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test
const serverUrl = process.env.DATABASE_URL?.trim();

async function onServer(sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

if (!serverUrl) {
  console.warn(
    'SKIPPED: the PostgreSQL admin database tests need DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test).',
  );
}

(serverUrl ? describe : describe.skip)(
  `PostgreSQL server (${serverUrl ? 'throwaway database' : 'SKIPPED: DATABASE_URL is not set'})`,
  () => {
    adminDatabaseSuite(async () => {
      if (!serverUrl) throw new Error('unreachable: the suite is skipped without DATABASE_URL');
      const name = `admin_test_${crypto.randomBytes(6).toString('hex')}`;
      await onServer(`CREATE DATABASE "${name}"`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return {
        config: { kind: 'postgres', url: url.toString() },
        dispose: () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      };
    });
  },
);
