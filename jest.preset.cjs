// Shared Jest settings for every project. @swc/jest rather than ts-jest: ts-jest cannot load the
// ESM-only @noble and @nestjs packages under CommonJS on Node 20 (docs/decisions/0003-test-runner.md).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)sx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true, tsx: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@noble|@cloudflare|@scure|@formatjs|intl-messageformat)/)'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  // Build output: a Next.js app's standalone folder and dist/ hold copies of package.json files.
  modulePathIgnorePatterns: ['<rootDir>/\\.next/', '<rootDir>/dist/'],
};
