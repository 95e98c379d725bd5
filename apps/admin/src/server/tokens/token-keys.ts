// The issuer keys over time (docs/protocol/admin-api.md §11.1): at start and in every housekeeping
// round, make the current key when none issues, make the next one when due, erase the private
// halves of keys that stopped issuing, and sign a new token key set whenever its keys change;
// each new set is pushed to the relays. The plan is token-key-schedule.ts; here it meets the
// database, under the organisation lock, so that instances running it together agree.
import { publicVerif } from '@cloudflare/privacypass-ts';
import { decodeTokenKeySet, encodeHex, tokenKeyIdOf, type TokenKeySet } from '@opendescent/protocol';
import type { Prisma, TokenIssuerKey } from '../../generated/prisma/client';
import { adminLog } from '../log.mjs';
import { dbBytes, unixSeconds } from '../http/encoding';
import { activeSigner, ensureOrganisation, lockOrganisation } from '../org/organisation';
import type { AdminServices } from '../services';
import { planTokenKeys, type ScheduledKey } from './token-key-schedule';
import { signTokenKeySetInTransaction, type IssuedTokenKeySet } from './token-key-set-issuer';

interface FreshIssuerKey {
  readonly tokenKeyId: Uint8Array;
  readonly spki: Uint8Array;
  readonly sealedPrivateKey: Uint8Array;
}

/** The schedule changed between the plan and the transaction (another instance): plan again. */
class ScheduleMovedOn extends Error {
  override readonly name = 'ScheduleMovedOn';
}

function scheduled(row: TokenIssuerKey): ScheduledKey {
  return {
    tokenKeyId: new Uint8Array(row.tokenKeyId),
    issueFrom: unixSeconds(row.issueFrom),
    issueUntil: unixSeconds(row.issueUntil),
    acceptUntil: unixSeconds(row.acceptUntil),
    hasPrivateKey: row.sealedPrivateKey !== null,
  };
}

/**
 * A blind RSA issuer key (RFC 9578 token type 2: RSASSA-PSS, SHA-384, 2048-bit modulus, e = 65537),
 * made by the library; its PKCS#8 private half is sealed at once and the clear copy zeroed.
 */
async function makeIssuerKey(s: AdminServices, orgId: Uint8Array): Promise<FreshIssuerKey> {
  const pair = await publicVerif.Issuer.generateKey(publicVerif.BlindRSAMode.PSS, {
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
  });
  const spki = await publicVerif.getPublicKeyBytes(pair.publicKey);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  try {
    return { tokenKeyId: tokenKeyIdOf(spki), spki, sealedPrivateKey: s.issuerKeys.seal(orgId, spki, pkcs8) };
  } finally {
    pkcs8.fill(0);
  }
}

async function signerStillActive(tx: Prisma.TransactionClient, keyId: Uint8Array): Promise<boolean> {
  return (
    (await tx.orgKey.count({ where: { keyId: dbBytes(keyId), activatedAt: { not: null }, retiredAt: null } })) === 1
  );
}

/** One round of the schedule; returns the set it signed, if any (already queued for the relays). */
export async function maintainTokenKeys(s: AdminServices): Promise<IssuedTokenKeySet | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await maintainOnce(s);
    } catch (error) {
      if (!(error instanceof ScheduleMovedOn) || attempt >= 3) throw error;
    }
  }
}

async function maintainOnce(s: AdminServices): Promise<IssuedTokenKeySet | undefined> {
  const orgId = await ensureOrganisation(s);
  const signer = await activeSigner(s);
  const now = s.now();
  const nowSeconds = unixSeconds(now);
  const issueSeconds = s.config.tokenKeyIssueSeconds;
  // Keys are made before the transaction (about 0.2 s each), so that the lock is held briefly.
  const first = planTokenKeys((await s.prisma.tokenIssuerKey.findMany()).map(scheduled), nowSeconds, issueSeconds);
  const fresh = await Promise.all(first.make.map(() => makeIssuerKey(s, orgId)));
  const outcome = await s.prisma.$transaction(async (tx) => {
    await lockOrganisation(tx);
    const plan = planTokenKeys((await tx.tokenIssuerKey.findMany()).map(scheduled), nowSeconds, issueSeconds);
    if (plan.make.length > fresh.length || !(await signerStillActive(tx, signer.keyId))) throw new ScheduleMovedOn();
    const made = plan.make.map((window, i) => ({ ...(fresh[i] as FreshIssuerKey), ...window }));
    for (const key of made) {
      await tx.tokenIssuerKey.create({
        data: {
          tokenKeyId: dbBytes(key.tokenKeyId),
          spki: dbBytes(key.spki),
          sealedPrivateKey: dbBytes(key.sealedPrivateKey),
          issueFrom: new Date(key.issueFrom * 1000),
          issueUntil: new Date(key.issueUntil * 1000),
          acceptUntil: new Date(key.acceptUntil * 1000),
          createdAt: now,
        },
      });
    }
    if (plan.erase.length > 0) {
      await tx.tokenIssuerKey.updateMany({
        where: { tokenKeyId: { in: plan.erase.map(dbBytes) }, sealedPrivateKey: { not: null } },
        data: { sealedPrivateKey: null, privateErasedAt: now },
      });
    }
    const set = await signTokenKeySetInTransaction(tx, orgId, signer, now, { onlyIfChanged: true });
    return { made, erased: plan.erase, set };
  });
  const log = adminLog();
  for (const key of outcome.made) {
    log.info(
      {
        event: 'token_key.created',
        tokenKeyId: encodeHex(key.tokenKeyId),
        issueFrom: key.issueFrom,
        issueUntil: key.issueUntil,
        acceptUntil: key.acceptUntil,
      },
      'made a token issuer key',
    );
  }
  for (const tokenKeyId of outcome.erased) {
    s.issuerKeys.forget(tokenKeyId);
    log.info(
      { event: 'token_key.private_erased', tokenKeyId: encodeHex(tokenKeyId) },
      'a token issuer key stopped issuing: its private half was erased',
    );
  }
  if (outcome.set) {
    log.info({ event: 'token_key_set.signed', setVersion: outcome.set.version }, 'signed a new token key set');
    s.tokenKeyPusher.publish(outcome.set.version, outcome.set.bytes);
  }
  return outcome.set;
}

export interface CurrentTokenKeySet {
  readonly version: number;
  readonly bytes: Uint8Array;
  readonly set: TokenKeySet;
}

async function newestStoredSet(s: AdminServices): Promise<CurrentTokenKeySet | undefined> {
  const row = await s.prisma.signedTokenKeySet.findFirst({ orderBy: { version: 'desc' } });
  if (!row) return undefined;
  const bytes = new Uint8Array(row.bytes);
  return { version: row.version, bytes, set: decodeTokenKeySet(bytes).set };
}

/** The newest signed set; on a first start before the schedule ran, it runs now. */
export async function currentTokenKeySet(s: AdminServices): Promise<CurrentTokenKeySet | undefined> {
  const stored = await newestStoredSet(s);
  if (stored) return stored;
  await maintainTokenKeys(s);
  return newestStoredSet(s);
}

/** At start: tell the relays the current set (a relay with the memory store forgets it on restart). */
export async function pushCurrentTokenKeySet(s: AdminServices): Promise<void> {
  if (s.tokenKeyPusher.relayUrls.length === 0) return;
  const current = await newestStoredSet(s);
  if (current) s.tokenKeyPusher.publish(current.version, current.bytes);
}
