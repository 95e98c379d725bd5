// The organisation and its signing keys (docs/protocol/attestations.md §1): made on first start,
// the private keys sealed at rest (org-key-sealing.ts), rotated in two steps so that relays and
// clients can pin the next key before anything is signed with it.
import { encodeHex, ORG_ID_LENGTH, orgKeyId, type TrustedOrgKey } from '@opendescent/protocol';
import { generateEd25519KeyPair, randomBytes, type Ed25519PrivateKey } from '@opendescent/crypto';
import type { OrgKey, Prisma } from '../../generated/prisma/client';
import { recordAudit, type Actor } from '../audit/audit-log';
import { adminLog } from '../log.mjs';
import { ApiError } from '../http/api-error';
import { dbBytes } from '../http/encoding';
import { issueRevocationList } from '../revocation/list-issuer';
import { appendOrgKeyStatement, latestOrgKeyStatements, retiredKeyEnd } from './org-key-statements';
import { signTokenKeySetInTransaction } from '../tokens/token-key-set-issuer';
import type { AdminServices, Db } from '../services';

export type OrgKeyStatus = 'pending' | 'active' | 'retired';

export interface OrgKeyView {
  readonly id: string;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly status: OrgKeyStatus;
  readonly createdAt: Date;
  readonly activatedAt: Date | null;
  readonly retiredAt: Date | null;
  /** Retired keys: verifiers keep pinning them until then (their last attestation's expiry). */
  readonly pinnedUntil: Date | null;
}

export interface OrgSigner {
  readonly orgId: Uint8Array;
  readonly keyId: Uint8Array;
  readonly privateKey: Ed25519PrivateKey;
}

/** Serialises changes to the organisation's documents (list versions, key states) on PostgreSQL. */
export async function lockOrganisation(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$queryRaw`SELECT "id" FROM "organisation" WHERE "id" = 1 FOR UPDATE`;
}

/**
 * The organisation id, creating the organisation on first use: a random org id, the first
 * signing key (active at once: nothing is pinned yet) and the empty revocation list, version 1.
 */
export async function ensureOrganisation(s: AdminServices): Promise<Uint8Array> {
  const existing = await s.prisma.organisation.findUnique({ where: { id: 1 } });
  if (existing) return new Uint8Array(existing.orgId);
  const orgId = dbBytes(randomBytes(ORG_ID_LENGTH));
  const { publicKey, privateKey } = await generateEd25519KeyPair();
  const keyId = dbBytes(orgKeyId(publicKey));
  const sealed = s.orgKeys.seal(orgId, privateKey);
  const now = s.now();
  try {
    await s.prisma.$transaction(async (tx) => {
      await tx.organisation.create({ data: { id: 1, orgId, createdAt: now } });
      await tx.orgKey.create({
        data: {
          keyId,
          publicKey: dbBytes(publicKey),
          sealedPrivateKey: dbBytes(sealed),
          createdAt: now,
          activatedAt: now,
        },
      });
      await issueRevocationList(tx, orgId, { keyId, privateKey }, now, s.config.revocationListValiditySeconds);
      await recordAudit(tx, 'system', 'organisation.created', { orgId: encodeHex(orgId), keyId: encodeHex(keyId) });
    });
    adminLog().info(
      { event: 'organisation.created', orgId: encodeHex(orgId), keyId: encodeHex(keyId) },
      'created the organisation and its first signing key',
    );
    return orgId;
  } catch (error) {
    // Another instance created it first: use theirs.
    const raced = await s.prisma.organisation.findUnique({ where: { id: 1 } });
    if (raced) return new Uint8Array(raced.orgId);
    throw error;
  } finally {
    privateKey.wipe();
  }
}

function statusOf(key: Pick<OrgKey, 'activatedAt' | 'retiredAt'>): OrgKeyStatus {
  if (key.retiredAt) return 'retired';
  return key.activatedAt ? 'active' : 'pending';
}

export async function listOrgKeys(s: AdminServices, db: Db = s.prisma): Promise<OrgKeyView[]> {
  // Ids are UUIDv7: they break the tie between two keys made in the same millisecond.
  const keys = await db.orgKey.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const lastExpiry = await db.attestation.groupBy({ by: ['orgKeyId'], _max: { expiresAt: true } });
  const expiryByKey = new Map(lastExpiry.map((row) => [encodeHex(row.orgKeyId), row._max.expiresAt]));
  return keys.map((key) => {
    const status = statusOf(key);
    let pinnedUntil: Date | null = null;
    if (status === 'retired' && key.retiredAt) {
      const last = expiryByKey.get(encodeHex(key.keyId));
      pinnedUntil = last && last > key.retiredAt ? last : key.retiredAt;
    }
    return {
      id: key.id,
      keyId: new Uint8Array(key.keyId),
      publicKey: new Uint8Array(key.publicKey),
      status,
      createdAt: key.createdAt,
      activatedAt: key.activatedAt,
      retiredAt: key.retiredAt,
      pinnedUntil,
    };
  });
}

/** What a verifier should pin now: pending, active, and retired keys still covering attestations. */
export function stillPinned(keys: readonly OrgKeyView[], now: Date): OrgKeyView[] {
  return keys.filter((key) => key.status !== 'retired' || (key.pinnedUntil !== null && key.pinnedUntil > now));
}

/** The keys this app accepts attestations from (the directory's check): active and pinned retired ones. */
export async function trustedOrgKeys(s: AdminServices, orgId: Uint8Array): Promise<TrustedOrgKey[]> {
  const keys = stillPinned(await listOrgKeys(s), s.now()).filter((key) => key.status !== 'pending');
  return keys.map((key) => ({ orgId, publicKey: key.publicKey }));
}

/** The active key, opened (from the process cache after the first use). Never inside a transaction. */
export async function activeSigner(s: AdminServices): Promise<OrgSigner> {
  const orgId = await ensureOrganisation(s);
  const key = await s.prisma.orgKey.findFirst({ where: { activatedAt: { not: null }, retiredAt: null } });
  if (!key) throw new Error('the organisation has no active signing key');
  return { orgId, keyId: new Uint8Array(key.keyId), privateKey: await s.orgKeys.privateKey(orgId, key) };
}

/**
 * Rotation, step 1: a new key, published for pinning, not yet signing. The active key introduces
 * it in a statement (attestations.md §4), so verifiers pin it from that, not from whoever serves it.
 */
export async function prepareNextOrgKey(s: AdminServices, actor: Actor): Promise<OrgKeyView> {
  const orgId = await ensureOrganisation(s);
  const introducer = await activeSigner(s);
  const { publicKey, privateKey } = await generateEd25519KeyPair();
  const keyId = dbBytes(orgKeyId(publicKey));
  const sealed = s.orgKeys.seal(orgId, privateKey);
  privateKey.wipe();
  const now = s.now();
  await s.prisma.$transaction(async (tx) => {
    await lockOrganisation(tx);
    if (await tx.orgKey.count({ where: { activatedAt: null, retiredAt: null } })) {
      throw new ApiError(409, 'key_pending', 'a next key is already prepared: activate or discard it first');
    }
    await expectStillActive(tx, introducer.keyId);
    await tx.orgKey.create({
      data: { keyId, publicKey: dbBytes(publicKey), sealedPrivateKey: dbBytes(sealed), createdAt: now },
    });
    const statement = await appendOrgKeyStatement(
      tx,
      { orgId, signer: introducer.privateKey, kind: 'introduce', subject: publicKey },
      now,
    );
    await recordAudit(tx, actor, 'org_key.prepared', { keyId: encodeHex(keyId), statement });
  });
  const view = (await listOrgKeys(s)).find((key) => encodeHex(key.keyId) === encodeHex(keyId));
  if (!view) throw new Error('the prepared key vanished');
  return view;
}

/**
 * Rotation, step 2: the pending key signs from now on. The previous key is retired: its private
 * half is erased (it never signs again) and verifiers keep pinning its public half until the
 * last attestation it signed has expired. The revocation list and the token key set are re-signed
 * with the new key, in the same transaction.
 */
export async function activateNextOrgKey(
  s: AdminServices,
  actor: Actor,
): Promise<{ listVersion: number; bytes: Uint8Array; tokenKeySetVersion: number | null }> {
  const orgId = await ensureOrganisation(s);
  const pending = await s.prisma.orgKey.findFirst({ where: { activatedAt: null, retiredAt: null } });
  if (!pending) throw new ApiError(409, 'no_pending_key', 'prepare a next key first');
  const privateKey = await s.orgKeys.privateKey(orgId, pending);
  // Each key retired states its own end before its private half is erased (attestations.md §4.2).
  const previousKeys = await s.prisma.orgKey.findMany({
    where: { activatedAt: { not: null }, retiredAt: null, id: { not: pending.id } },
  });
  const retiring = await Promise.all(
    previousKeys.map(async (key) => ({ id: key.id, privateKey: await s.orgKeys.privateKey(orgId, key) })),
  );
  const now = s.now();
  const retired: Uint8Array[] = [];
  const { list, tokenKeySet } = await s.prisma.$transaction(async (tx) => {
    await lockOrganisation(tx);
    const claimed = await tx.orgKey.updateMany({
      where: { id: pending.id, activatedAt: null, retiredAt: null },
      data: { activatedAt: now },
    });
    if (claimed.count !== 1)
      throw new ApiError(409, 'no_pending_key', 'the next key was activated or discarded meanwhile');
    const previous = await tx.orgKey.findMany({
      where: { activatedAt: { not: null }, retiredAt: null, id: { not: pending.id } },
    });
    const statements: number[] = [];
    for (const key of previous) {
      const signer = retiring.find((opened) => opened.id === key.id)?.privateKey;
      if (!signer) throw new ApiError(409, 'no_pending_key', 'the active key changed meanwhile: try again');
      const until = await retiredKeyEnd(tx, key.keyId, s.config.attestationLifetimeSeconds, now);
      const subject = new Uint8Array(key.publicKey);
      statements.push(await appendOrgKeyStatement(tx, { orgId, signer, kind: 'retire', subject, until }, now));
    }
    await tx.orgKey.updateMany({
      where: { id: { in: previous.map((key) => key.id) } },
      data: { retiredAt: now, sealedPrivateKey: null },
    });
    retired.push(...previous.map((key) => new Uint8Array(key.keyId)));
    const signer = { keyId: new Uint8Array(pending.keyId), privateKey };
    const issued = await issueRevocationList(tx, orgId, signer, now, s.config.revocationListValiditySeconds);
    const set = await signTokenKeySetInTransaction(tx, orgId, signer, now, { onlyIfChanged: false });
    await recordAudit(tx, actor, 'org_key.activated', {
      keyId: encodeHex(pending.keyId),
      retiredKeyIds: retired.map(encodeHex),
      statements: statements.map(String),
      listVersion: issued.version,
      tokenKeySetVersion: set?.version ?? null,
    });
    return { list: issued, tokenKeySet: set };
  });
  for (const keyId of retired) s.orgKeys.forget(keyId);
  s.pusher.publish(list.version, list.bytes);
  if (tokenKeySet) s.tokenKeyPusher.publish(tokenKeySet.version, tokenKeySet.bytes);
  return { listVersion: list.version, bytes: list.bytes, tokenKeySetVersion: tokenKeySet?.version ?? null };
}

/** A prepared key given up: deleted, and ended by the active key for the verifiers that pinned it. */
export async function discardNextOrgKey(s: AdminServices, actor: Actor): Promise<void> {
  const active = await activeSigner(s);
  const now = s.now();
  await s.prisma.$transaction(async (tx) => {
    await lockOrganisation(tx);
    await expectStillActive(tx, active.keyId);
    const pending = await tx.orgKey.findFirst({ where: { activatedAt: null, retiredAt: null } });
    if (!pending) throw new ApiError(409, 'no_pending_key', 'there is no prepared key to discard');
    await tx.orgKey.delete({ where: { id: pending.id } });
    const statement = await appendOrgKeyStatement(
      tx,
      {
        orgId: active.orgId,
        signer: active.privateKey,
        kind: 'retire',
        subject: new Uint8Array(pending.publicKey),
        until: now,
      },
      now,
    );
    await recordAudit(tx, actor, 'org_key.discarded', { keyId: encodeHex(pending.keyId), statement });
  });
}

/** The signer opened before the transaction must still be the active key once the lock is held. */
async function expectStillActive(tx: Prisma.TransactionClient, keyId: Uint8Array): Promise<void> {
  const active = await tx.orgKey.findFirst({ where: { activatedAt: { not: null }, retiredAt: null } });
  if (!active || encodeHex(active.keyId) !== encodeHex(keyId))
    throw new ApiError(409, 'key_pending', 'the organisation key changed meanwhile: try again');
}

export interface OrgPublicConfig {
  readonly orgId: Uint8Array;
  readonly keys: OrgKeyView[];
  readonly revocationListVersion: number;
  /** The newest organisation-key statements, oldest first (attestations.md §4). */
  readonly statements: Uint8Array[];
}

/** What relays and clients pin: public, the same for everyone. */
export async function orgPublicConfig(s: AdminServices): Promise<OrgPublicConfig> {
  const orgId = await ensureOrganisation(s);
  const keys = stillPinned(await listOrgKeys(s), s.now());
  const latest = await s.prisma.revocationList.findFirst({ orderBy: { version: 'desc' }, select: { version: true } });
  return {
    orgId,
    keys,
    revocationListVersion: latest?.version ?? 0,
    statements: await latestOrgKeyStatements(s.prisma),
  };
}

/**
 * The relay's environment (docs/protocol/relay.md §7, admin-api.md §9.2 and apps/relay's
 * configuration): the org id, the keys to pin, where to follow the organisation's key rotations
 * (its key statements, §9.1), and where to fetch the revocation list and the token key set between
 * pushes.
 */
export function relayConfigFile(config: OrgPublicConfig, adminPublicUrl: string, generatedAt: Date): string {
  const lines = [
    `# OpenDescent relay configuration for organisation ${encodeHex(config.orgId)}`,
    `# Exported by the admin app at ${generatedAt.toISOString()}. Public values: nothing here is secret.`,
    `# Relays follow key rotations through the organisation's signed statements (RELAY_ORG_URL);`,
    `# a relay installed later with this file pins the keys listed here and follows from them.`,
    `RELAY_ORG_ID=${encodeHex(config.orgId)}`,
    `RELAY_ORG_PUBLIC_KEYS=${config.keys.map((key) => encodeHex(key.publicKey)).join(',')}`,
    `RELAY_ORG_URL=${adminPublicUrl}/api/v1/org`,
    `RELAY_REVOCATION_LIST_URL=${adminPublicUrl}/api/v1/revocation-list`,
    `RELAY_TOKEN_KEYS_URL=${adminPublicUrl}/api/v1/token-keys`,
    '',
  ];
  return lines.join('\n');
}
