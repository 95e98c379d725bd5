import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ed25519KeyPairFromSeed, generateEd25519KeyPair, sha256, type Ed25519KeyPair } from '@opendescent/crypto';
import { ProtocolError, decodeHex, encodeHex } from '../src/index';

export const hex = encodeHex;
export const fromHex = (text: string): Uint8Array => decodeHex(text);

/** A fresh organisation key, made at test time. */
export async function newOrgKey(): Promise<Ed25519KeyPair> {
  return generateEd25519KeyPair();
}

/**
 * The key behind the checked-in golden vectors: derived from a public label, so it is no secret
 * (like the keys of RFC 8032 §7.1) and the vectors can be reproduced by anyone.
 */
export async function goldenOrgKey(): Promise<Ed25519KeyPair> {
  return ed25519KeyPairFromSeed(sha256(new TextEncoder().encode('OpenDescent golden vector organisation key')));
}

/** Bytes derived from a label, for ids and public keys in vectors. */
export function labelled(label: string, length: number): Uint8Array {
  return sha256(new TextEncoder().encode(label)).slice(0, length);
}

/**
 * Compares an encoding with the checked-in golden vector, so a format change is a visible diff.
 * UPDATE_GOLDEN=1 rewrites the file (review the diff before committing it).
 */
export function expectGolden(name: string, vector: Record<string, unknown>): void {
  const file = path.join(__dirname, 'golden', `${name}.json`);
  const text = `${JSON.stringify(vector, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI === 'true')
      throw new Error(`golden vector ${name} is missing; generate it locally and commit it`);
    writeFileSync(file, text);
  }
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(vector);
}

/** The code of the ProtocolError `run` throws; fails the test if it throws anything else or nothing. */
export function protocolCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  throw new Error('expected a ProtocolError');
}
