/**
 * The transparency log (docs/protocol/transparency-log.md §4-§5) through its route handlers: every
 * attestation, revocation list and organisation-key statement the admin app signs has its leaf in
 * the log, provably under a signed tree head; the log only grows, provably between two heads; and
 * every refusal the spec lists, by name. The database itself refuses to rewrite the log.
 */
import {
  checkInclusion,
  checkTreeHeadConsistency,
  decodeBase64Url,
  encodeBase64Url,
  logConsistencyAnswerSchema,
  logHeadAnswerSchema,
  logInclusionAnswerSchema,
  logLeaf,
  logLeafHash,
  verifyTreeHead,
  type LogLeafKind,
  type TreeHead,
} from '@opendescent/protocol';
import { GET as consistency } from '../../app/api/v1/log/consistency/route';
import { GET as head } from '../../app/api/v1/log/head/route';
import { GET as inclusion } from '../../app/api/v1/log/inclusion/route';
import { GET as orgConfig } from '../../app/api/v1/org/route';
import { POST as revoke } from '../../app/api/admin/devices/revoke/route';
import { activateNextOrgKey, prepareNextOrgKey } from '../../src/server/org/organisation';
import { adminHeaders as headersOf, enrolledDevice } from '../support/enrolled-device';
import { signedInAdmin, type TestAdmin } from '../support/test-admin';
import { unb64 } from '../support/test-device';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

describe.each(DATABASE_KINDS)('the transparency log on the %s database', (kind) => {
  let app: TestApp;
  let admin: TestAdmin;

  beforeAll(async () => {
    app = await startTestApp({}, kind);
    admin = await signedInAdmin(app.services);
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  const adminHeaders = () => headersOf(app, admin);

  async function trusted() {
    const { json } = await call(orgConfig, '/api/v1/org');
    const orgId = unb64(json.orgId);
    return (json.keys as { publicKey: string }[]).map((k) => ({ orgId, publicKey: unb64(k.publicKey) }));
  }

  async function signedHead(): Promise<TreeHead> {
    const { status, json } = await call(head, '/api/v1/log/head');
    expect(status).toBe(200);
    return verifyTreeHead(logHeadAnswerSchema.parse(json).treeHead, await trusted());
  }

  /** Asks for the document's proof under `tree` and checks it as a client would (§3.1). */
  async function expectLogged(kindOf: LogLeafKind, document: Uint8Array, tree: TreeHead): Promise<number> {
    const leafHash = encodeBase64Url(logLeafHash(kindOf, document));
    const { status, json } = await call(
      inclusion,
      `/api/v1/log/inclusion?leafHash=${leafHash}&treeSize=${tree.treeSize}`,
    );
    expect(status).toBe(200);
    const answer = logInclusionAnswerSchema.parse(json);
    checkInclusion(tree, logLeaf(kindOf, document), answer.leafIndex, answer.proof);
    return answer.leafIndex;
  }

  const enrolled = (address: string) => enrolledDevice(app, admin, address);

  let first: TreeHead;
  const attestations: Uint8Array[] = [];

  test('every attestation, revocation list and key statement is in the log under a signed head', async () => {
    attestations.push((await enrolled('log-one@example.org')).attestation as Uint8Array);
    attestations.push((await enrolled('log-two@example.org')).attestation as Uint8Array);
    first = await signedHead();
    const indices = new Set<number>();
    for (const attestation of attestations) indices.add(await expectLogged('attestation', attestation, first));
    expect(indices.size).toBe(2);

    await prepareNextOrgKey(app.services, `admin:${admin.id}`);
    const { bytes: list } = await activateNextOrgKey(app.services, `admin:${admin.id}`);
    const { json: org } = await call(orgConfig, '/api/v1/org');
    const later = await signedHead();
    expect(later.treeSize).toBeGreaterThan(first.treeSize);
    await expectLogged('revocation_list', list, later);
    for (const statement of org.statements as string[])
      await expectLogged('org_key_statement', decodeBase64Url(statement), later);
  });

  test('the log only grows: a consistency proof links the first head to the newest, and a revocation extends it', async () => {
    const device = await enrolled('log-three@example.org');
    const deviceId = Buffer.from(device.deviceId as Uint8Array).toString('hex');
    const revoked = await call(
      revoke,
      '/api/admin/devices/revoke',
      { deviceId, reason: 'lost_or_stolen' },
      { headers: await adminHeaders() },
    );
    expect(revoked.status).toBe(200);
    const newest = await signedHead();
    const { status, json } = await call(
      consistency,
      `/api/v1/log/consistency?from=${first.treeSize}&to=${newest.treeSize}`,
    );
    expect(status).toBe(200);
    checkTreeHeadConsistency(first, newest, logConsistencyAnswerSchema.parse(json).proof);
    // The same size asked again is the same head: a head is never signed twice with two roots.
    expect(await signedHead()).toEqual(newest);
  });

  test('refusals by name: an entry never logged, a size never signed, malformed parameters, sizes backwards', async () => {
    const tree = await signedHead();
    const never = encodeBase64Url(logLeafHash('attestation', new Uint8Array([1, 2, 3])));
    const ask = async (path: string) => {
      const { status, json } = await (path.includes('consistency') ? call(consistency, path) : call(inclusion, path));
      return { status, error: json.error };
    };
    expect(await ask(`/api/v1/log/inclusion?leafHash=${never}&treeSize=${tree.treeSize}`)).toEqual({
      status: 404,
      error: 'not_in_log',
    });
    const logged = encodeBase64Url(logLeafHash('attestation', attestations[0] as Uint8Array));
    expect(await ask(`/api/v1/log/inclusion?leafHash=${logged}&treeSize=${tree.treeSize + 1000}`)).toEqual({
      status: 404,
      error: 'unknown_tree_size',
    });
    for (const query of [
      `leafHash=${logged}&treeSize=-1`,
      `leafHash=${logged}&treeSize=01`,
      `leafHash=${logged}&treeSize=1.5`,
      `leafHash=${logged}`,
      `leafHash=abc&treeSize=${tree.treeSize}`,
      `leafHash=${logged}=&treeSize=${tree.treeSize}`,
    ])
      expect(await ask(`/api/v1/log/inclusion?${query}`)).toEqual({ status: 400, error: 'malformed' });
    expect(await ask(`/api/v1/log/consistency?from=${tree.treeSize}&to=${first.treeSize}`)).toEqual({
      status: 400,
      error: 'malformed',
    });
    expect(await ask(`/api/v1/log/consistency?from=${first.treeSize}&to=${tree.treeSize + 7}`)).toEqual({
      status: 404,
      error: 'unknown_tree_size',
    });
  });

  test('the database refuses an entry out of order, a rewritten or removed entry, and a rewritten head', async () => {
    const prisma = app.database.prisma;
    const last = await prisma.logEntry.findFirst({ orderBy: { index: 'desc' } });
    if (!last) throw new Error('the log is empty');
    const copy = { kind: last.kind, createdAt: last.createdAt, leafHash: new Uint8Array(32).fill(9) };
    await expect(prisma.logEntry.create({ data: { ...copy, index: last.index + 2 } })).rejects.toThrow();
    await expect(
      prisma.logEntry.update({ where: { index: last.index }, data: { kind: 'attestation' } }),
    ).rejects.toThrow();
    await expect(prisma.logEntry.delete({ where: { index: 0 } })).rejects.toThrow();
    const anyHead = await prisma.logTreeHead.findFirst();
    if (!anyHead) throw new Error('no head');
    await expect(
      prisma.logTreeHead.update({ where: { treeSize: anyHead.treeSize }, data: { root: new Uint8Array(32) } }),
    ).rejects.toThrow();
    await expect(prisma.logTreeHead.delete({ where: { treeSize: anyHead.treeSize } })).rejects.toThrow();
    expect(await prisma.logEntry.count()).toBe(last.index + 1);
  });
});
