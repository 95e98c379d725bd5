// Admin invitations (one-time passkey registration links) and recovery codes: random secrets
// shown once, stored as SHA-256 only. Both carry at least 100 bits, so a fast hash is enough:
// nobody can search the space, and the hash only keeps a database dump (A3) from using them.
import { concatBytes, randomBytes, sha256, utf8Encode } from '@opendescent/crypto';
import { recordAudit, type Actor } from '../audit/audit-log';
import { dbBytes, toBase64Url } from '../http/encoding';
import type { AdminServices, Db } from '../services';
import { CODE_ALPHABET } from '../devices/enrolment-codes';

export const INVITATION_LIFETIME_SECONDS = 24 * 3600;
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_CODE_SYMBOLS = 20;
const INVITATION_LABEL = utf8Encode('OpenDescent admin invitation v1');
const RECOVERY_LABEL = utf8Encode('OpenDescent admin recovery code v1');

export type InvitationPurpose = 'setup' | 'invite' | 'reset';

export function invitationHash(token: string): Uint8Array<ArrayBuffer> {
  return dbBytes(sha256(concatBytes(INVITATION_LABEL, new Uint8Array([0]), utf8Encode(token))));
}

/** The link an invited person opens. The token rides in the fragment: never sent in a request line or a Referer. */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/setup#token=${token}`;
}

export async function createInvitation(
  s: AdminServices,
  db: Db,
  actor: Actor,
  purpose: InvitationPurpose,
  adminId?: string,
): Promise<{ link: string; expiresAt: Date; id: string }> {
  const token = toBase64Url(randomBytes(32));
  const now = s.now();
  const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_SECONDS * 1000);
  const row = await db.adminInvitation.create({
    data: { tokenHash: invitationHash(token), purpose, adminId: adminId ?? null, createdBy: actor, createdAt: now, expiresAt },
  });
  await recordAudit(db, actor, `admin.${purpose === 'setup' ? 'setup_link' : purpose === 'invite' ? 'invitation' : 'passkey_reset_link'}_created`, {
    invitationId: row.id,
    ...(adminId ? { adminId } : {}),
    expiresAt: expiresAt.toISOString(),
  });
  return { link: invitationLink(s.config.publicUrl, token), expiresAt, id: row.id };
}

/** Admins who can sign in: enabled, with at least one passkey. */
export async function activeAdminCount(db: Db): Promise<number> {
  return db.admin.count({ where: { disabledAt: null, credentials: { some: {} } } });
}

/**
 * At start, while no admin can sign in: a fresh one-time setup link (earlier unused ones are
 * cancelled, since only their hashes were kept and they cannot be shown again).
 */
export async function ensureSetupLink(s: AdminServices): Promise<string | undefined> {
  if ((await activeAdminCount(s.prisma)) > 0) return undefined;
  return s.prisma.$transaction(async (tx) => {
    await tx.adminInvitation.updateMany({ where: { purpose: 'setup', usedAt: null, cancelledAt: null }, data: { cancelledAt: s.now() } });
    return (await createInvitation(s, tx, 'system', 'setup')).link;
  });
}

export function normaliseRecoveryCode(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > 64) return undefined;
  const text = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (text.length !== RECOVERY_CODE_SYMBOLS || ![...text].every((c) => CODE_ALPHABET.includes(c))) return undefined;
  return text;
}

export function recoveryCodeHash(normalised: string): Uint8Array<ArrayBuffer> {
  return dbBytes(sha256(concatBytes(RECOVERY_LABEL, new Uint8Array([0]), utf8Encode(normalised))));
}

/** A fresh set for `adminId` (earlier unused codes stop working); the codes are returned once. */
export async function replaceRecoveryCodes(db: Db, adminId: string, now: Date): Promise<string[]> {
  await db.adminRecoveryCode.deleteMany({ where: { adminId, usedAt: null } });
  const codes: string[] = [];
  for (let i = 0; i < RECOVERY_CODE_COUNT; i++) {
    const symbols = Array.from(randomBytes(RECOVERY_CODE_SYMBOLS), (byte) => CODE_ALPHABET[byte & 31]).join('');
    codes.push(symbols.match(/.{5}/g)?.join('-') ?? symbols);
    await db.adminRecoveryCode.create({ data: { adminId, codeHash: recoveryCodeHash(symbols), createdAt: now } });
  }
  return codes;
}
