// npm run admin:audit-verify [-- --org-keys <hex public key>,…]
//
// Verifies the audit log's hash chain and its signed checkpoints (docs/protocol/audit-log.md §4).
// Exit 0 with one summary line when intact; exit 1 naming the first problem (deleted, changed or
// re-ordered events, a forged checkpoint) and its seq; exit 2 on a usage error. It only reads, so
// it may run as the app's role. It opens the admin database from the app's environment
// (DATABASE_URL, or the embedded database in ADMIN_DB_DIR: stop the admin app first, since the
// embedded database opens in one process at a time).
//
// --org-keys: trust only these organisation public keys (RELAY_ORG_PUBLIC_KEYS, as the relays pin
// them) instead of the keys stored in the same database that is being checked.
import { parseArgs } from 'node:util';
import { verifyAuditLog } from '../src/server/audit/audit-verify';
import { databaseConfigFromEnv, openDatabase, type AdminDatabase } from '../src/server/db';
import { errorLine, runCommand } from './cli';

const USAGE = 'usage: npm run admin:audit-verify [-- --org-keys <hex public key>[,<hex public key>…]]';

async function main(argv: string[]): Promise<number> {
  let trustedPublicKeys: Uint8Array[] | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { 'org-keys': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (values['org-keys'] !== undefined) trustedPublicKeys = parseKeys(values['org-keys']);
  } catch (error) {
    console.error(`admin:audit-verify: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  let database: AdminDatabase | undefined;
  try {
    database = await openDatabase(
      databaseConfigFromEnv(
        { DATABASE_URL: process.env.DATABASE_URL, ADMIN_DB_DIR: process.env.ADMIN_DB_DIR },
        { baseDir: process.cwd() },
      ),
      { poolSize: 1 },
    );
    const result = await verifyAuditLog(database.prisma, { trustedPublicKeys });
    const checkpointNote =
      result.lastCheckpointSeq === null ? 'no checkpoint yet' : `last checkpoint at seq ${result.lastCheckpointSeq}`;
    const [first, ...others] = result.problems;
    if (first) {
      console.error(`admin:audit-verify: ${first.kind.replace('_', ' ')} at seq ${first.seq}: ${first.message}`);
      if (others.length > 0)
        console.error(`admin:audit-verify: ${others.length} more problem(s), from seq ${others[0]?.seq}`);
      return 1;
    }
    if (result.events === 0) {
      console.log('audit log intact: no events yet');
      return 0;
    }
    const after = result.lastCheckpointSeq === null ? result.lastSeq : result.lastSeq - result.lastCheckpointSeq;
    console.log(
      `audit log intact: ${result.events} events (seq 1 to ${result.lastSeq}), ${result.checkpoints} signed checkpoint(s), ${checkpointNote}` +
        (after > 0n ? `; the ${after} newest event(s) are covered by the chain only` : ''),
    );
    return 0;
  } catch (error) {
    console.error(`admin:audit-verify: ${errorLine(error)}`);
    return 1;
  } finally {
    await database?.close().catch(() => undefined);
  }
}

function parseKeys(text: string): Uint8Array[] {
  const keys = text
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (keys.length === 0 || keys.some((k) => !/^[0-9a-f]{64}$/i.test(k))) {
    throw new Error('--org-keys: expected comma-separated 64-character hexadecimal Ed25519 public keys');
  }
  return keys.map((k) => Uint8Array.from(Buffer.from(k, 'hex')));
}

runCommand('admin:audit-verify', main);
