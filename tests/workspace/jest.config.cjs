const preset = require('../../jest.preset.cjs');

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'workspace',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
