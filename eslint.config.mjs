// One ESLint configuration for the whole workspace. Its main job is to make the architecture's
// boundaries fail the build (docs/decisions/0004-boundaries.md):
//  - Nx tags + depConstraints: crypto and i18n import no project code; protocol imports only crypto;
//    apps never import each other; the relay never imports libs/crypto directly; the relay
//    client imports only protocol and crypto.
//  - libs/* must run in the browser and in Node alike: no Node built-ins, no Node or DOM globals.
import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

// Globals that exist only in Node or only in a browser page. The universal subset the libs may
// use (crypto.getRandomValues, crypto.subtle, TextEncoder, TextDecoder) is not listed here.
const platformOnlyGlobals = [
  ...['Buffer', 'process', 'require', 'module', 'exports', '__dirname', '__filename', 'global', 'setImmediate'].map(
    (name) => ({ name, message: 'Node-only global: libs/* must run in the browser and in Node alike.' }),
  ),
  ...[
    'window',
    'document',
    'navigator',
    'localStorage',
    'sessionStorage',
    'indexedDB',
    'location',
    'self',
    'alert',
  ].map((name) => ({ name, message: 'DOM-only global: libs/* must run in the browser and in Node alike.' })),
  ...['fetch', 'XMLHttpRequest', 'WebSocket'].map((name) => ({
    name,
    message: 'No I/O in libs/*: the caller passes data in (STYLE.md, principle 3).',
  })),
];

const depConstraints = [
  { sourceTag: 'scope:crypto', onlyDependOnLibsWithTags: ['scope:none'] },
  { sourceTag: 'scope:i18n', onlyDependOnLibsWithTags: ['scope:none'] },
  { sourceTag: 'scope:protocol', onlyDependOnLibsWithTags: ['scope:crypto'] },
  { sourceTag: 'scope:relay', onlyDependOnLibsWithTags: ['scope:protocol'] },
  { sourceTag: 'scope:relay-client', onlyDependOnLibsWithTags: ['scope:protocol', 'scope:crypto'] },
  { sourceTag: 'scope:admin', onlyDependOnLibsWithTags: ['scope:protocol', 'scope:crypto', 'scope:i18n'] },
  {
    sourceTag: 'scope:web',
    onlyDependOnLibsWithTags: ['scope:protocol', 'scope:crypto', 'scope:relay-client', 'scope:i18n'],
  },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  {
    sourceTag: 'platform:universal',
    bannedExternalImports: [...nodeBuiltins, 'node:*', 'react', 'react-dom', 'next', 'next/*'],
  },
];

const boundaryOptions = (constraints) => ({
  enforceBuildableLibDependency: false,
  banTransitiveDependencies: true,
  allow: [],
  depConstraints: constraints,
});

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      '**/next-env.d.ts',
      '**/generated/**',
      '.nx/**',
      '.data/**',
      'test-output/**',
      'tests/workspace/fixtures/**',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs', '**/*.cjs'],
    // A Jest config's require of the shared preset is tooling, not a project dependency.
    ignores: ['**/jest.config.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaryOptions(depConstraints)],
    },
  },
  {
    // The relay's tests, benchmark and soak play devices, which hold keys and use the relay client:
    // they may use libs/crypto and libs/relay-client. The relay's own code (src/) still may not.
    files: ['apps/relay/test/**', 'apps/relay/bench/**', 'apps/relay/soak/**'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        boundaryOptions(
          depConstraints.map((c) =>
            c.sourceTag === 'scope:relay'
              ? { ...c, onlyDependOnLibsWithTags: ['scope:protocol', 'scope:crypto', 'scope:relay-client'] }
              : c,
          ),
        ),
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Code that must run in the browser and in Node alike.
    files: ['libs/*/src/**/*.ts'],
    ignores: ['libs/*/src/**/*.spec.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-globals': ['error', ...platformOnlyGlobals],
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-in: libs/* must run in the browser too.' })),
          patterns: [{ group: ['node:*'], message: 'Node built-in: libs/* must run in the browser too.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.mjs', 'scripts/**', 'tests/**', 'tools/**', '**/test/**', '**/*.spec.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['apps/web/**/*.tsx', 'apps/admin/**/*.tsx', 'apps/web/src/**', 'apps/admin/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The admin app logs through pino (apps/admin/src/server/log.mjs): structured and redacted.
    files: ['apps/admin/src/**', 'apps/admin/app/**', 'apps/admin/instrumentation.ts', 'apps/admin/server-config.mjs'],
    rules: { 'no-console': 'error' },
  },
];
