const preset = require('../../jest.preset.cjs');

const [swc] = Object.values(preset.transform);

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'admin',
  rootDir: __dirname,
  testMatch: ['<rootDir>/{src,test}/**/*.spec.ts'],
  // One embedded cluster initialised for the whole run, not one per test file (about 5 s each).
  globalSetup: '<rootDir>/test/support/pglite-template.cjs',
  globalTeardown: '<rootDir>/test/support/pglite-template-teardown.cjs',
  setupFiles: ['<rootDir>/test/support/pglite-template-load.cjs'],
  // PGlite's CommonJS build uses import(), and the Prisma schema engine's wasm glue is ESM-only:
  // both are compiled for Jest like the other ESM-only packages (@cloudflare: Privacy Pass).
  transform: { '^.+\\.(t|j|mj|cj)sx?$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@noble|@cloudflare|@scure|@formatjs|intl-messageformat|@prisma/schema-engine-wasm|@electric-sql/pglite)/)',
  ],
};
