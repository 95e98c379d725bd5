// The admin app's master key: 32 random bytes under which the organisation's private keys are
// sealed at rest (docs/decisions/0006-admin-auth.md, "The organisation key at rest").
//
// Plain ESM JavaScript (master-key.d.mts beside it) because server-config.mjs, which runs under
// plain `node` before the app, validates it at start, and the app's TypeScript reads it too.

import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
// Plain node cannot import @opendescent/protocol's encoding module (TypeScript), so this file
// uses the library under it directly; HEX_KEY has checked the text first.
import { hexToBytes } from '@noble/hashes/utils.js';
import {
  LooseFileModesError,
  OWNER_ONLY_DIR_MODE,
  OWNER_ONLY_FILE_MODE,
  assertOwnerOnly,
} from '../owner-only-files.mjs';

export const MASTER_KEY_BYTES = 32;
/** The key file's name, in the embedded database's key folder (and, before issue 10, in its data folder). */
export const EMBEDDED_MASTER_KEY_FILE = 'master-key';
/**
 * The embedded database's key folder, `<ADMIN_DB_DIR>-secrets` (default .data/admin-db-secrets):
 * a sibling of its data folder, never inside it, so that a copy or backup of the data folder
 * alone opens nothing; named after it, so that two databases never share a key by accident.
 * @param {string} dataDir the embedded database's folder (absolute)
 */
export function embeddedKeyFolder(dataDir) {
  return `${dataDir}-secrets`;
}
const HEX_KEY = /^[0-9a-f]{64}$/i;

export class MasterKeyError extends Error {
  /** @param {string} variable the setting to fix  @param {string} message */
  constructor(variable, message) {
    super(message);
    this.name = 'MasterKeyError';
    this.variable = variable;
  }
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Where the master key comes from. Never prints the key: the hex lives in a private field and
 * JSON, inspect and template strings show a placeholder.
 */
export class MasterKeySource {
  /** @type {string | undefined} */
  #hex;

  /**
   * @param {'env' | 'file' | 'embedded-file'} kind
   * @param {{ hex?: string, file?: string, insideDataFolder?: boolean }} where
   */
  constructor(kind, where) {
    this.kind = kind;
    this.file = where.file;
    /** An installation from before issue 10: its key file sits in the data folder (see movingAdvice). */
    this.insideDataFolder = where.insideDataFolder === true;
    this.#hex = where.hex;
  }

  /**
   * @returns {Uint8Array} the 32 key bytes; creates the embedded key file (and its 0700 folder)
   *   on first use. Throws MasterKeyError when the file, or the embedded key folder, is not this
   *   user's alone.
   */
  read() {
    if (this.kind === 'env') return hexToBytes(/** @type {string} */ (this.#hex));
    const file = /** @type {string} */ (this.file);
    if (this.kind === 'embedded-file' && !this.insideDataFolder) {
      const folder = path.dirname(file);
      ownerOnlyOrRefuse(folder, 'ADMIN_DB_DIR');
      if (!fs.existsSync(file)) createKeyFile(file);
    }
    return hexToBytes(readKeyFile(file, this.kind === 'file' ? 'ADMIN_MASTER_KEY_FILE' : 'ADMIN_DB_DIR'));
  }

  /** For a key file inside the data folder: how to move it out, or undefined. */
  movingAdvice() {
    if (!this.insideDataFolder || !this.file) return undefined;
    const folder = embeddedKeyFolder(path.dirname(this.file));
    return (
      `the master key file ${this.file} is inside the database's data folder, so a copy of that folder alone opens the organisation key. ` +
      `Stop the admin app and move it out: mkdir -m 700 ${folder} && mv ${this.file} ${path.join(folder, EMBEDDED_MASTER_KEY_FILE)} ` +
      `(or keep it on another volume and set ADMIN_MASTER_KEY_FILE)`
    );
  }

  toString() {
    return this.kind === 'env' ? '[master key from ADMIN_MASTER_KEY]' : `[master key file ${this.file}]`;
  }

  toJSON() {
    return this.toString();
  }

  [INSPECT]() {
    return this.toString();
  }
}

/**
 * Chooses the master key source from the environment:
 *  - ADMIN_MASTER_KEY: 64 hexadecimal characters;
 *  - ADMIN_MASTER_KEY_FILE: a file holding them, readable by its owner only;
 *  - neither, with the embedded database: `<ADMIN_DB_DIR>-secrets/master-key` (0700 folder, 0600
 *    file), made on first use; or `<ADMIN_DB_DIR>/master-key` where an installation
 *    from before issue 10 has it (kept, so nothing is lost; prepare() warns to move it);
 *  - neither, with PostgreSQL (production): refused, so that a database dump never sits beside
 *    the key that opens it.
 * Throws MasterKeyError naming the variable to fix.
 * @param {{ ADMIN_MASTER_KEY?: string, ADMIN_MASTER_KEY_FILE?: string }} env
 * @param {{ databaseUrl: string | undefined, embeddedDatabaseDir: string }} database
 */
export function masterKeySourceFrom(env, database) {
  const inline = env.ADMIN_MASTER_KEY?.trim();
  const file = env.ADMIN_MASTER_KEY_FILE?.trim();
  if (inline && file)
    throw new MasterKeyError('ADMIN_MASTER_KEY', 'set ADMIN_MASTER_KEY or ADMIN_MASTER_KEY_FILE, not both');
  if (inline) {
    if (!HEX_KEY.test(inline))
      throw new MasterKeyError(
        'ADMIN_MASTER_KEY',
        'expected 64 hexadecimal characters (32 random bytes: openssl rand -hex 32)',
      );
    return new MasterKeySource('env', { hex: inline.toLowerCase() });
  }
  if (file) {
    const resolved = path.resolve(file);
    readKeyFile(resolved, 'ADMIN_MASTER_KEY_FILE');
    return new MasterKeySource('file', { file: resolved });
  }
  if (database.databaseUrl) {
    throw new MasterKeyError(
      'ADMIN_MASTER_KEY',
      'required with DATABASE_URL (production): 64 hexadecimal characters from `openssl rand -hex 32`, or ADMIN_MASTER_KEY_FILE naming a file that holds them',
    );
  }
  const dataDir = database.embeddedDatabaseDir;
  const legacy = path.join(dataDir, EMBEDDED_MASTER_KEY_FILE);
  if (fs.existsSync(legacy)) return new MasterKeySource('embedded-file', { file: legacy, insideDataFolder: true });
  return new MasterKeySource('embedded-file', {
    file: path.join(embeddedKeyFolder(dataDir), EMBEDDED_MASTER_KEY_FILE),
  });
}

/** @param {string} file  @param {string} variable */
function readKeyFile(file, variable) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new MasterKeyError(variable, `the master key file ${file} does not exist or cannot be read`);
  }
  if (!stat.isFile()) throw new MasterKeyError(variable, `the master key file ${file} is not a file`);
  // As ssh does with private keys: a key others can read, or change, is refused rather than used.
  ownerOnlyOrRefuse(file, variable);
  const hex = fs.readFileSync(file, 'utf8').trim();
  if (!HEX_KEY.test(hex))
    throw new MasterKeyError(variable, `the master key file ${file} must hold 64 hexadecimal characters`);
  return hex.toLowerCase();
}

/** @param {string} where  @param {string} variable */
function ownerOnlyOrRefuse(where, variable) {
  try {
    assertOwnerOnly(where, { variable });
  } catch (error) {
    if (error instanceof LooseFileModesError) throw new MasterKeyError(variable, error.message);
    throw error;
  }
}

/** Made once, exclusively (two processes racing get the same key), owner-only. */
function createKeyFile(file) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: OWNER_ONLY_DIR_MODE });
  try {
    fs.writeFileSync(file, `${randomBytes(MASTER_KEY_BYTES).toString('hex')}\n`, {
      mode: OWNER_ONLY_FILE_MODE,
      flag: 'wx',
    });
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
  }
}
