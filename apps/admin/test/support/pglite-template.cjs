// Jest global set-up and tear-down for the admin project: one freshly initialised embedded
// cluster (PGlite's initdb, 3 to 8 s on these machines) dumped once for the whole run into a
// private temporary folder, instead of once in every test file (each loads embedded-postgres.mjs
// afresh). pglite-template-load.cjs hands it to each test file. The dump is of a cluster nobody
// used: what embedded-postgres.mjs would otherwise make itself.
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const VARIABLE = 'OPENDESCENT_TEST_PGLITE_TEMPLATE';

module.exports = async function makeTemplate() {
  const { PGlite } = await import('@electric-sql/pglite');
  const pristine = await PGlite.create();
  let dump;
  try {
    dump = await pristine.dumpDataDir('none');
  } finally {
    await pristine.close();
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opendescent-jest-pglite-'));
  const file = path.join(dir, 'template.tar');
  writeFileSync(file, new Uint8Array(await dump.arrayBuffer()), { mode: 0o600 });
  process.env[VARIABLE] = file;
};

module.exports.VARIABLE = VARIABLE;
module.exports.teardown = async function removeTemplate() {
  const file = process.env[VARIABLE];
  if (file) rmSync(path.dirname(file), { recursive: true, force: true });
};
