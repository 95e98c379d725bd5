/**
 * Proves that the architecture's boundaries fail the lint step of `npm test` (eslint.config.mjs):
 * each case lints a small source text as if it were a file in a project and checks which rule
 * fires. A rule that silently stopped firing (for example the Nx rule skipping itself when no
 * project graph is cached) fails these tests.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const BOUNDARY = '@nx/enforce-module-boundaries';

interface LintCase {
  readonly name: string;
  readonly file: string;
  readonly code: string;
}

const refused: LintCase[] = [
  {
    name: 'libs/crypto imports libs/protocol',
    file: 'libs/crypto/src/fixture.ts',
    code: `import { relayHealth } from '@opendescent/protocol';\nexport const x = relayHealth;\n`,
  },
  {
    name: 'libs/crypto imports an app by relative path',
    file: 'libs/crypto/src/fixture.ts',
    code: `import { bootstrap } from '../../../apps/relay/src/main';\nexport const x = bootstrap;\n`,
  },
  {
    name: 'libs/crypto imports an app by package name',
    file: 'libs/crypto/src/fixture.ts',
    code: `import * as relay from '@opendescent/relay';\nexport const x = relay;\n`,
  },
  {
    name: 'libs/protocol imports an app',
    file: 'libs/protocol/src/fixture.ts',
    code: `import * as web from '@opendescent/web';\nexport const x = web;\n`,
  },
  {
    name: 'the relay imports libs/crypto (ratchets and private keys stay out of it)',
    file: 'apps/relay/src/fixture.ts',
    code: `import { randomBytes } from '@opendescent/crypto';\nexport const x = randomBytes;\n`,
  },
  {
    name: 'the web client imports the admin app',
    file: 'apps/web/src/fixture.ts',
    code: `import * as admin from '../../admin/app/page';\nexport const x = admin;\n`,
  },
  {
    name: 'the admin app imports the relay',
    file: 'apps/admin/src/fixture.ts',
    code: `import * as relay from '@opendescent/relay';\nexport const x = relay;\n`,
  },
  {
    name: 'the relay itself imports the relay client',
    file: 'apps/relay/src/fixture.ts',
    code: `import { RelayConnection } from '@opendescent/relay-client';\nexport const x = RelayConnection;\n`,
  },
  {
    name: 'libs/relay-client imports an app',
    file: 'libs/relay-client/src/fixture.ts',
    code: `import * as web from '@opendescent/web';\nexport const x = web;\n`,
  },
];

const allowed: LintCase[] = [
  {
    name: 'libs/protocol imports libs/crypto',
    file: 'libs/protocol/src/fixture.ts',
    code: `import { randomBytes } from '@opendescent/crypto';\nexport const x = randomBytes;\n`,
  },
  {
    name: 'the relay imports libs/protocol',
    file: 'apps/relay/src/fixture.ts',
    code: `import { relayHealth } from '@opendescent/protocol';\nexport const x = relayHealth;\n`,
  },
  {
    name: 'the web client imports both libraries',
    file: 'apps/web/src/fixture.ts',
    code: `import { randomBytes } from '@opendescent/crypto';\nimport { relayHealth } from '@opendescent/protocol';\nexport const x = [randomBytes, relayHealth];\n`,
  },
  {
    name: 'a library uses the universal Web Crypto and encoding APIs',
    file: 'libs/crypto/src/fixture.ts',
    code: `export const x = () => [crypto.getRandomValues(new Uint8Array(1)), crypto.subtle, new TextEncoder(), new TextDecoder()];\n`,
  },
  {
    name: 'the relay tests import libs/crypto to play a device',
    file: 'apps/relay/test/fixture.ts',
    code: `import { randomBytes } from '@opendescent/crypto';\nexport const x = randomBytes;\n`,
  },
  {
    name: 'the relay tests use the one relay client',
    file: 'apps/relay/test/fixture.ts',
    code: `import { RelayConnection } from '@opendescent/relay-client';\nexport const x = RelayConnection;\n`,
  },
  {
    name: 'the web client uses the relay client',
    file: 'apps/web/src/fixture.ts',
    code: `import { RelayClient } from '@opendescent/relay-client';\nexport const x = RelayClient;\n`,
  },
  {
    name: 'an app uses Node globals (the global rule is scoped to libs/*)',
    file: 'apps/relay/src/fixture.ts',
    code: `export const x = () => process.env.X;\n`,
  },
];

const platformImports: LintCase[] = ['fs', 'node:crypto', 'react'].map((module) => ({
  name: module,
  file: 'libs/protocol/src/fixture.ts',
  code: `import * as m from '${module}';\nexport const x = m;\n`,
}));

const platformGlobals: LintCase[] = [
  'Buffer.from([1])',
  'process.env.X',
  'window.location',
  'document.title',
  'localStorage.length',
  'fetch("/x")',
].map((expression) => ({
  name: expression,
  file: 'libs/crypto/src/fixture.ts',
  code: `export const x = () => ${expression};\n`,
}));

const all = [...refused, ...allowed, ...platformImports, ...platformGlobals];
const fired = new Map<LintCase, string[]>();

beforeAll(() => {
  // The Nx rule reads the cached project graph; computing it is what `nx` does before any target.
  execFileSync(process.execPath, [require.resolve('nx/bin/nx.js'), 'show', 'projects'], { cwd: root, stdio: 'pipe' });
  const output = execFileSync(process.execPath, [path.join(__dirname, 'support/lint-texts.mjs')], {
    cwd: root,
    input: JSON.stringify(all.map(({ file, code }) => ({ file, code }))),
    encoding: 'utf8',
  });
  (JSON.parse(output) as string[][]).forEach((rules, i) => fired.set(all[i] as LintCase, rules));
}, 120_000);

describe('project boundaries', () => {
  it.each(refused.map((c) => [c.name, c] as const))('refuses: %s', (_name, c) => {
    expect(fired.get(c)).toContain(BOUNDARY);
  });

  it.each(allowed.map((c) => [c.name, c] as const))('allows: %s', (_name, c) => {
    expect(fired.get(c)).toEqual([]);
  });
});

describe('libs/* run in the browser and in Node alike', () => {
  it.each(platformImports.map((c) => [c.name, c] as const))('refuses the import of %s in a library', (_name, c) => {
    expect(fired.get(c)?.some((rule) => rule === 'no-restricted-imports' || rule === BOUNDARY)).toBe(true);
  });

  it.each(platformGlobals.map((c) => [c.name, c] as const))('refuses %s in a library', (_name, c) => {
    expect(fired.get(c)).toContain('no-restricted-globals');
  });
});
