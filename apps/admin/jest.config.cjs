const preset = require('../../jest.preset.cjs');

const [swc] = Object.values(preset.transform);

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'admin',
  rootDir: __dirname,
  testMatch: ['<rootDir>/{src,test}/**/*.spec.ts'],
  // PGlite's CommonJS build uses import(), and the Prisma schema engine's wasm glue is ESM-only:
  // both are compiled for Jest like the other ESM-only packages (@cloudflare: Privacy Pass).
  transform: { '^.+\\.(t|j|mj|cj)sx?$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@noble|@cloudflare|@scure|@formatjs|intl-messageformat|@prisma/schema-engine-wasm|@electric-sql/pglite)/)',
  ],
};
