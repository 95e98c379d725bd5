// Before each admin test file: the cluster template the global set-up made (pglite-template.cjs),
// given to embedded-postgres.mjs so that in-memory databases start from it without initdb. A
// run without the global set-up (a file run on its own by another tool) simply makes its own.
const { readFileSync } = require('node:fs');
const { VARIABLE } = require('./pglite-template.cjs');
const { useEmptyClusterTemplate } = require('../../src/server/db/embedded-postgres.mjs');

const file = process.env[VARIABLE];
if (file) useEmptyClusterTemplate(new Blob([readFileSync(file)]));
