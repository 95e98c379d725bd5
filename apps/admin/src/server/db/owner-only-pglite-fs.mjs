// PGlite's data directory on disk, with every file and folder it creates owner-only.
//
// PGlite (0.5.x) stores its files through Emscripten's NODEFS, which passes PostgreSQL's modes to
// the real disk verbatim, and the wasm build asks for 0666 files and 0777 folders (measured: a new
// cluster wrote 970 files chmod-ed 0666 whatever the process umask; pg_internal.init is chmod-ed
// 0644 at every start). Here each mode is masked to owner-only before it reaches the disk, so the
// result does not depend on the umask or on PGlite's choices (test/embedded-modes.spec.ts checks
// every file after a real start).

import fs from 'node:fs';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import { NOT_OWNER_BITS, OWNER_ONLY_DIR_MODE } from '../owner-only-files.mjs';

/** @param {number | undefined} mode */
const ownerOnly = (mode) => (mode === undefined ? mode : mode & ~NOT_OWNER_BITS);

export class OwnerOnlyNodeFS extends NodeFS {
  /** @param {string} dataDir PGlite's data directory (`pgdata`), made 0700 when missing. */
  constructor(dataDir) {
    // Made here first: NodeFS's constructor would make it with the umask's mode.
    fs.mkdirSync(dataDir, { recursive: true, mode: OWNER_ONLY_DIR_MODE });
    super(dataDir);
  }

  /** @param {unknown} pg  @param {{ preRun?: Array<(module: any) => void> }} options */
  async init(pg, options) {
    const result = await super.init(pg, options);
    const preRun = [...(result.emscriptenOpts.preRun ?? []), maskNodefsModes];
    return { ...result, emscriptenOpts: { ...result.emscriptenOpts, preRun } };
  }
}

/**
 * Wraps the two places NODEFS hands a mode to the disk: creating a node (mkdirSync /
 * writeFileSync with the mode) and setting attributes (chmodSync / fchmodSync). The wrapped
 * objects belong to this PGlite instance's own Emscripten module, not to node:fs.
 * @param {any} module
 */
function maskNodefsModes(module) {
  const nodefs = module.FS.filesystems.NODEFS;
  if (typeof nodefs?.setattr !== 'function' || typeof nodefs?.node_ops?.mknod !== 'function') {
    // A PGlite upgrade moved them: refuse rather than silently write loose files.
    throw new Error(
      'PGlite internals changed: cannot make the embedded database owner-only (see owner-only-pglite-fs.mjs)',
    );
  }
  const setattr = nodefs.setattr;
  nodefs.setattr = (
    /** @type {unknown} */ where,
    /** @type {unknown} */ node,
    /** @type {{ mode?: number }} */ attr,
    /** @type {unknown[]} */ ...rest
  ) => setattr(where, node, attr.mode === undefined ? attr : { ...attr, mode: ownerOnly(attr.mode) }, ...rest);
  const mknod = nodefs.node_ops.mknod;
  nodefs.node_ops.mknod = (
    /** @type {unknown} */ parent,
    /** @type {string} */ name,
    /** @type {number} */ mode,
    /** @type {unknown} */ dev,
  ) => mknod(parent, name, ownerOnly(mode), dev);
}
