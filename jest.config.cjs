// The unit and integration suites of every project in one run (`npm run jest`). Browser and
// whole-system tests live in tests/e2e and run serially after these (scripts/test.mjs).
/** @type {import('jest').Config} */
module.exports = {
  projects: [
    '<rootDir>/libs/crypto',
    '<rootDir>/libs/protocol',
    '<rootDir>/libs/i18n',
    '<rootDir>/libs/relay-client',
    '<rootDir>/apps/relay',
    '<rootDir>/apps/admin',
    '<rootDir>/apps/web',
    '<rootDir>/tests/workspace',
  ],
};
