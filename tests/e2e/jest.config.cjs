const preset = require('../../jest.preset.cjs');

// Whole-system tests: they start the apps through scripts/start.mjs (the code path of `npm start`)
// and drive them with real clients, so they run one at a time and get generous timeouts.
/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e.ts'],
  // Direct channels need a network namespace of their own: scripts/in-netns.sh runs them (npm test does).
  testPathIgnorePatterns: process.env.OPENDESCENT_IN_NETNS === '1' ? [] : ['\\.netns\\.e2e\\.ts$'],
  testTimeout: 240_000,
  maxWorkers: 1,
};
