// Signs the next token key set (libs/protocol token-key-set.ts, docs/protocol/admin-api.md §11.1)
// inside the caller's transaction, which holds the organisation lock: version = the highest stored
// + 1 (the token_key_sets trigger refuses anything else, so two instances cannot fork a version),
// keys = every issuer key whose tokens are still accepted. Every set signed is kept.
import { decodeTokenKeySet, encodeHex, signTokenKeySet, type TokenKeyFields } from '@opendescent/protocol';
import type { Ed25519PrivateKey } from '@opendescent/crypto';
import type { Prisma, TokenIssuerKey } from '../../generated/prisma/client';
import { dbBytes, unixSeconds } from '../http/encoding';
import { keysInSet } from './token-key-schedule';

export interface IssuedTokenKeySet {
  readonly version: number;
  readonly bytes: Uint8Array;
}

/** A stored key as the set carries it (times in Unix seconds). */
export function keyFieldsOf(
  row: Pick<TokenIssuerKey, 'spki' | 'issueFrom' | 'issueUntil' | 'acceptUntil'>,
): TokenKeyFields {
  return {
    spki: new Uint8Array(row.spki),
    issueFrom: unixSeconds(row.issueFrom),
    issueUntil: unixSeconds(row.issueUntil),
    acceptUntil: unixSeconds(row.acceptUntil),
  };
}

function sameKeys(a: readonly TokenKeyFields[], b: readonly TokenKeyFields[]): boolean {
  const line = (key: TokenKeyFields) => `${encodeHex(key.spki)}:${key.issueFrom}:${key.issueUntil}:${key.acceptUntil}`;
  return a.length === b.length && a.every((key, i) => line(key) === line(b[i] as TokenKeyFields));
}

/**
 * Signs and stores a new set with `signer` (the active organisation key). With `onlyIfChanged`,
 * nothing is signed when the newest stored set already carries exactly these keys (housekeeping);
 * without it, a set is signed anyway (a new organisation key must sign the current set). Nothing
 * is signed while there is no key at all.
 */
export async function signTokenKeySetInTransaction(
  tx: Prisma.TransactionClient,
  orgId: Uint8Array,
  signer: { readonly keyId: Uint8Array; readonly privateKey: Ed25519PrivateKey },
  now: Date,
  { onlyIfChanged }: { readonly onlyIfChanged: boolean },
): Promise<IssuedTokenKeySet | undefined> {
  const nowSeconds = unixSeconds(now);
  const keys = keysInSet((await tx.tokenIssuerKey.findMany()).map(keyFieldsOf), nowSeconds);
  if (keys.length === 0) return undefined;
  const latest = await tx.signedTokenKeySet.findFirst({ orderBy: { version: 'desc' } });
  if (onlyIfChanged && latest && sameKeys(decodeTokenKeySet(new Uint8Array(latest.bytes)).set.keys, keys))
    return undefined;
  const version = (latest?.version ?? 0) + 1;
  const bytes = await signTokenKeySet({ orgId, setVersion: version, issuedAt: nowSeconds, keys }, signer.privateKey);
  await tx.signedTokenKeySet.create({
    data: { version, bytes: dbBytes(bytes), issuedAt: now, orgKeyId: dbBytes(signer.keyId) },
  });
  return { version, bytes };
}
