/**
 * The audit log's hash chain and signed checkpoints (docs/protocol/audit-log.md), on every kind of
 * database: the verifier passes an intact log and names the first deleted, changed or re-ordered
 * event and any forged checkpoint. Tampering is done as whoever could do it in production: the
 * owner role on PostgreSQL (after disabling the triggers), the one superuser session when embedded.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { generateEd25519KeyPair, ed25519Sign } from '@opendescent/crypto';
import { encodeHex, orgKeyId } from '@opendescent/protocol';
import { auditEventHash, GENESIS_PREV_HASH } from '../../src/server/audit/audit-chain';
import { checkpointSigningInput, writeAuditCheckpoint } from '../../src/server/audit/audit-checkpoints';
import { recordAudit } from '../../src/server/audit/audit-log';
import { verifyAuditLog, type AuditVerification } from '../../src/server/audit/audit-verify';
import { runHousekeeping } from '../../src/server/housekeeping';
import { ensureOrganisation } from '../../src/server/org/organisation';
import { openDatabase } from '../../src/server/db';
import { DATABASE_KINDS, MIGRATIONS_DIR, SLOW, startTestApp, type TestApp } from '../support/test-services';

const AUDIT_CHAIN_MIGRATION = '20261204210815_audit_chain';

/** Runs SQL with the power to rewrite the log: the owner role, or the embedded superuser session. */
async function asOwner(app: TestApp, ...statements: string[]): Promise<void> {
  const all = [
    'ALTER TABLE "audit_events" DISABLE TRIGGER USER',
    'ALTER TABLE "audit_checkpoints" DISABLE TRIGGER USER',
    ...statements,
    'ALTER TABLE "audit_events" ENABLE TRIGGER USER',
    'ALTER TABLE "audit_checkpoints" ENABLE TRIGGER USER',
  ];
  if (!app.roles) {
    for (const sql of all) await app.database.prisma.$executeRawUnsafe(sql);
    return;
  }
  const owner = new Client({ connectionString: app.roles.ownerUrl });
  await owner.connect();
  try {
    for (const sql of all) await owner.query(sql);
  } finally {
    await owner.end();
  }
}

async function recordEvents(app: TestApp, count: number): Promise<void> {
  for (let n = 1; n <= count; n++)
    await recordAudit(app.services.prisma, 'system', 'test.event', { n, note: `événement ${n}` });
}

const verify = (app: TestApp): Promise<AuditVerification> => verifyAuditLog(app.database.prisma, { batchSize: 4 });

describe.each(DATABASE_KINDS)('the audit chain on the %s database', (kind) => {
  let app: TestApp;

  /** Organisation (1 event) + 6 events, a checkpoint at seq 7, then 3 more events (seq 8-10). */
  beforeEach(async () => {
    app = await startTestApp({}, kind);
    await ensureOrganisation(app.services);
    await recordEvents(app, 6);
    expect(await writeAuditCheckpoint(app.services)).toBe(7n);
    await recordEvents(app, 3);
  }, SLOW);

  afterEach(async () => {
    await app?.close();
  }, SLOW);

  test(
    'verify passes on an intact log',
    async () => {
      const result = await verify(app);
      expect(result).toEqual({ events: 10, lastSeq: 10n, checkpoints: 1, lastCheckpointSeq: 7n, problems: [] });
    },
    SLOW,
  );

  test(
    'every event is chained by the database, whatever the inserting code passed',
    async () => {
      await app.database.prisma.auditEvent.create({
        data: {
          actor: 'system',
          action: 'test.forged_link',
          seq: 999n,
          prevHash: new Uint8Array(32).fill(7),
          hash: new Uint8Array(32).fill(9),
        },
      });
      const rows = await app.database.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
      expect(rows.map((row) => row.seq)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, 11n]);
      expect(encodeHex(rows[0]?.prevHash ?? new Uint8Array())).toBe(encodeHex(GENESIS_PREV_HASH));
      expect(encodeHex(rows[10]?.prevHash ?? new Uint8Array())).toBe(encodeHex(rows[9]?.hash ?? new Uint8Array()));
      expect((await verify(app)).problems).toEqual([]);
    },
    SLOW,
  );

  test(
    'verify reports a deleted event: the gap at its seq',
    async () => {
      await asOwner(app, 'DELETE FROM "audit_events" WHERE "seq" = 4');
      expect((await verify(app)).problems[0]).toMatchObject({
        kind: 'deleted',
        seq: 4n,
        message: expect.stringContaining('seq 4 is missing'),
      });
    },
    SLOW,
  );

  test(
    'verify reports a deleted event even when the later ones were renumbered to close the gap',
    async () => {
      await asOwner(
        app,
        'DELETE FROM "audit_events" WHERE "seq" = 4',
        'UPDATE "audit_events" SET "seq" = "seq" - 1 WHERE "seq" > 4',
      );
      expect((await verify(app)).problems[0]).toMatchObject({
        kind: 'deleted',
        seq: 4n,
        message: expect.stringContaining('recorded as seq 5'),
      });
    },
    SLOW,
  );

  test(
    'verify reports the newest events deleted back past a checkpoint',
    async () => {
      await asOwner(app, 'DELETE FROM "audit_events" WHERE "seq" >= 6');
      expect((await verify(app)).problems).toEqual([
        expect.objectContaining({ kind: 'deleted', seq: 6n, message: expect.stringContaining('covers seq 7') }),
      ]);
    },
    SLOW,
  );

  test(
    'verify reports a changed event: hash mismatch at its seq',
    async () => {
      await asOwner(app, `UPDATE "audit_events" SET "detail" = '{"n": 3, "note": "nothing happened"}' WHERE "seq" = 4`);
      expect((await verify(app)).problems[0]).toMatchObject({ kind: 'changed', seq: 4n });
    },
    SLOW,
  );

  test(
    'verify reports a changed event whose chain was re-hashed to match: the checkpoint disagrees',
    async () => {
      // The owner knows the algorithm: change seq 3, then recompute every later hash and link.
      await asOwner(
        app,
        `UPDATE "audit_events" SET "actor" = 'admin:someone-else' WHERE "seq" = 3`,
        `DO $$
       DECLARE e RECORD; prev BYTEA;
       BEGIN
         SELECT "hash" INTO prev FROM "audit_events" WHERE "seq" = 2;
         FOR e IN SELECT * FROM "audit_events" WHERE "seq" >= 3 ORDER BY "seq" LOOP
           UPDATE "audit_events" SET "prev_hash" = prev,
             "hash" = audit_event_hash(prev, e."seq", e."id", e."at", e."actor", e."action", e."detail") WHERE "seq" = e."seq";
           SELECT "hash" INTO prev FROM "audit_events" WHERE "seq" = e."seq";
         END LOOP;
       END $$`,
      );
      expect((await verify(app)).problems).toEqual([expect.objectContaining({ kind: 'rewritten', seq: 7n })]);
    },
    SLOW,
  );

  test(
    'verify reports re-ordered events',
    async () => {
      await asOwner(
        app,
        'UPDATE "audit_events" SET "seq" = -5 WHERE "seq" = 5',
        'UPDATE "audit_events" SET "seq" = 5 WHERE "seq" = 6',
        'UPDATE "audit_events" SET "seq" = 6 WHERE "seq" = -5',
      );
      expect((await verify(app)).problems[0]).toMatchObject({
        kind: 'reordered',
        seq: 5n,
        message: expect.stringContaining('recorded as seq 6'),
      });
    },
    SLOW,
  );

  test(
    'verify reports a forged checkpoint: signed by an unknown key, or not by the key it names',
    async () => {
      const org = await app.database.prisma.organisation.findUniqueOrThrow({ where: { id: 1 } });
      const key = await app.database.prisma.orgKey.findFirstOrThrow();
      const row = await app.database.prisma.auditEvent.findUniqueOrThrow({ where: { seq: 9n } });
      const { publicKey, privateKey } = await generateEd25519KeyPair();
      const signedAt = app.services.now();
      const signature = await ed25519Sign(
        privateKey,
        checkpointSigningInput({ orgId: new Uint8Array(org.orgId), seq: 9n, hash: new Uint8Array(row.hash), signedAt }),
      );
      // The app's role may insert checkpoints (it writes them): a forged one must not pass.
      await app.database.prisma.auditCheckpoint.createMany({
        data: [
          {
            seq: 9n,
            hash: row.hash,
            signedAt,
            orgKeyId: new Uint8Array(orgKeyId(publicKey)),
            signature: new Uint8Array(signature),
          },
          {
            seq: 10n,
            hash: new Uint8Array(32),
            signedAt,
            orgKeyId: key.keyId,
            signature: new Uint8Array(randomBytes(64)),
          },
        ],
      });
      expect((await verify(app)).problems).toEqual([
        expect.objectContaining({
          kind: 'forged_checkpoint',
          seq: 9n,
          message: expect.stringContaining('not a trusted organisation key'),
        }),
        expect.objectContaining({
          kind: 'forged_checkpoint',
          seq: 10n,
          message: expect.stringContaining('does not verify'),
        }),
      ]);
    },
    SLOW,
  );

  test(
    'a checkpoint altered by the owner no longer verifies',
    async () => {
      await asOwner(
        app,
        `UPDATE "audit_checkpoints" SET "seq" = 6, "hash" = (SELECT "hash" FROM "audit_events" WHERE "seq" = 6) WHERE "seq" = 7`,
      );
      expect((await verify(app)).problems[0]).toMatchObject({ kind: 'forged_checkpoint', seq: 6n });
    },
    SLOW,
  );

  test(
    'verify trusts only the pinned keys when given them',
    async () => {
      const key = await app.database.prisma.orgKey.findFirstOrThrow();
      expect(
        (await verifyAuditLog(app.database.prisma, { trustedPublicKeys: [new Uint8Array(key.publicKey)] })).problems,
      ).toEqual([]);
      const other = await generateEd25519KeyPair();
      expect((await verifyAuditLog(app.database.prisma, { trustedPublicKeys: [other.publicKey] })).problems).toEqual([
        expect.objectContaining({ kind: 'forged_checkpoint', seq: 7n }),
      ]);
    },
    SLOW,
  );

  test(
    'concurrent appends keep one chain',
    async () => {
      await Promise.all(
        Array.from({ length: 40 }, (_, n) =>
          n % 2 === 0
            ? recordAudit(app.services.prisma, 'system', 'test.concurrent', { n })
            : app.services.prisma.$transaction(async (tx) => {
                await tx.admin.create({ data: { displayName: `Concurrent ${n}` } });
                await recordAudit(tx, 'system', 'test.concurrent', { n });
              }),
        ),
      );
      const result = await verify(app);
      expect(result).toMatchObject({ events: 50, lastSeq: 50n, problems: [] });
    },
    SLOW,
  );

  test(
    'housekeeping signs a checkpoint only when there are new events',
    async () => {
      await runHousekeeping(app.services);
      await runHousekeeping(app.services);
      expect(
        (await app.database.prisma.auditCheckpoint.findMany({ orderBy: { seq: 'asc' } })).map((c) => c.seq),
      ).toEqual([7n, 10n]);
      await recordEvents(app, 1);
      await runHousekeeping(app.services);
      expect(
        (await app.database.prisma.auditCheckpoint.findMany({ orderBy: { seq: 'asc' } })).map((c) => c.seq),
      ).toEqual([7n, 10n, 11n]);
      expect((await verify(app)).lastCheckpointSeq).toBe(11n);
    },
    SLOW,
  );

  test(
    'the database and the verifier compute the same hash (golden vector, non-ASCII text)',
    async () => {
      const event = {
        seq: 42n,
        id: '01890a5d-ac96-774b-bcce-b302099a8057',
        at: new Date('2026-11-26T12:34:56.789Z'),
        actor: 'admin:Zoë',
        action: 'member.renamed',
        detailText: '{"to": "Åsa 𝒜", "from": "Asa"}',
      };
      const prev = new Uint8Array(32).fill(0xab);
      const [row] = await app.database.prisma.$queryRaw<{ hash: Uint8Array }[]>`
      SELECT audit_event_hash(${prev}, ${event.seq}, ${event.id}::uuid, ${event.at}, ${event.actor}, ${event.action}, ${event.detailText}::jsonb) AS hash`;
      const expected = '274696d78f3aceae9a43a275b9167cd6f9a4082c707a7a06c1b6f7238e9fdf63';
      expect(encodeHex(auditEventHash(prev, event))).toBe(encodeHex(new Uint8Array(row?.hash ?? [])));
      expect(encodeHex(auditEventHash(prev, event))).toBe(expected);
    },
    SLOW,
  );
});

describe('the audit_chain migration', () => {
  test(
    'numbers and chains the events recorded before it, in the order they were recorded, so that an upgraded log verifies',
    async () => {
      const before = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-audit-migration-'));
      const db = await openDatabase({ kind: 'embedded', dir: null });
      try {
        for (const entry of fs.readdirSync(MIGRATIONS_DIR)) {
          if (entry < AUDIT_CHAIN_MIGRATION)
            fs.cpSync(path.join(MIGRATIONS_DIR, entry), path.join(before, entry), { recursive: true });
        }
        await db.migrateToLatest({ migrationsDir: before });
        // Recorded out of id order on purpose: `at` decides, then the id.
        await db.prisma.$executeRawUnsafe(`INSERT INTO "audit_events" ("id", "at", "actor", "action", "detail") VALUES
        ('01900000-0000-7000-8000-000000000002', '2026-11-01T10:00:00.123Z', 'system', 'old.second', '{"b": 2, "a": [1, "x"]}'),
        ('01900000-0000-7000-8000-000000000001', '2026-11-01T10:00:00.123Z', 'system', 'old.first', '{}'),
        ('01900000-0000-7000-8000-000000000000', '2026-11-02T09:00:00.000Z', 'admin:Zoë', 'old.third', '{"note": "été"}')`);
        // The audit chain migration first; later migrations after it.
        expect((await db.migrateToLatest({ migrationsDir: MIGRATIONS_DIR })).applied[0]).toBe(AUDIT_CHAIN_MIGRATION);
        await recordAudit(db.prisma, 'system', 'new.fourth', {});
        const rows = await db.prisma.auditEvent.findMany({
          orderBy: { seq: 'asc' },
          select: { seq: true, action: true },
        });
        expect(rows).toEqual([
          { seq: 1n, action: 'old.first' },
          { seq: 2n, action: 'old.second' },
          { seq: 3n, action: 'old.third' },
          { seq: 4n, action: 'new.fourth' },
        ]);
        expect(await verifyAuditLog(db.prisma)).toMatchObject({ events: 4, lastSeq: 4n, problems: [] });
        await expect(db.prisma.auditEvent.deleteMany({ where: { seq: 1n } })).rejects.toThrow(/append-only/);
      } finally {
        await db.close();
        fs.rmSync(before, { recursive: true, force: true });
      }
    },
    SLOW,
  );
});
