// What the admin app keeps on disk (the embedded database, the master key file) must be its
// user's alone: refused at start when others could read or change it, as ssh refuses a private
// key others can read. Issue 10: a 0755 data folder had left 900 database files open to all.
//
// Plain ESM JavaScript (owner-only-files.d.mts beside it) because server-config.mjs and the
// migration CLI run it with plain `node` before the app.

import fs from 'node:fs';
import path from 'node:path';

/** Group and others: no read, no write, no execute. */
export const NOT_OWNER_BITS = 0o077;
export const OWNER_ONLY_DIR_MODE = 0o700;
export const OWNER_ONLY_FILE_MODE = 0o600;

export class LooseFileModesError extends Error {
  /**
   * @param {string} variable the setting that names the place
   * @param {string} message one line naming the path and the fix
   */
  constructor(variable, message) {
    super(message);
    this.name = 'LooseFileModesError';
    this.variable = variable;
  }
}

/** Windows has no such modes, and Node reports made-up ones there. */
const CHECKED = process.platform !== 'win32';

/**
 * Throws LooseFileModesError when `root`, or anything under it, is readable, writable or
 * searchable by group or others, or owned by another user. A missing `root` passes (whoever
 * creates it makes it owner-only). Symbolic links are not followed and their own mode, always
 * 0777, is not judged; their owner is.
 * @param {string} root a folder (searched whole) or a file
 * @param {{ variable: string }} options the setting to name in the message
 */
export function assertOwnerOnly(root, { variable }) {
  if (!CHECKED) return;
  const rootStat = lstatIfPresent(root);
  if (!rootStat) return;
  const uid = process.getuid?.();
  /** @type {{ path: string, problem: Problem }[]} */
  const found = [];
  const visit = (/** @type {string} */ where, /** @type {fs.Stats} */ stat) => {
    const problem = problemOf(stat, uid);
    if (problem) found.push({ path: where, problem });
    if (!stat.isDirectory()) return;
    for (const name of fs.readdirSync(where)) {
      const child = path.join(where, name);
      const childStat = lstatIfPresent(child); // absent: removed meanwhile
      if (childStat) visit(child, childStat);
    }
  };
  visit(root, rootStat);
  const [first] = found;
  if (!first) return;
  const recursive = rootStat.isDirectory();
  const fix =
    first.problem.kind === 'owner'
      ? `run the admin app as that user, or chown ${recursive ? '-R ' : ''}${uid} ${root}`
      : recursive
        ? `chmod -R go-rwx ${root}`
        : `chmod 600 ${root}`;
  const more = found.length > 1 ? ` (and ${found.length - 1} more)` : '';
  throw new LooseFileModesError(
    variable,
    `${first.path} ${first.problem.text}${more}; it must be this user's alone: ${fix}`,
  );
}

/** @typedef {{ kind: 'owner' | 'mode', text: string }} Problem */

/**
 * @param {fs.Stats} stat
 * @param {number | undefined} uid
 * @returns {Problem | undefined}
 */
function problemOf(stat, uid) {
  if (uid !== undefined && stat.uid !== uid)
    return { kind: 'owner', text: `is owned by user ${stat.uid}, not by this process's user ${uid}` };
  if (stat.isSymbolicLink() || (stat.mode & NOT_OWNER_BITS) === 0) return undefined;
  return {
    kind: 'mode',
    text: `is open to group or others (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')})`,
  };
}

/** @param {string} where */
function lstatIfPresent(where) {
  try {
    return fs.lstatSync(where);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return undefined;
    throw error;
  }
}
