/**
 * The admin app's CSP has no 'unsafe-eval' (docs/decisions/0009-admin-csp.md): the message
 * library must parse and format without eval or `new Function`. Node's
 * --disallow-code-generation-from-strings refuses both, as such a CSP does.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const repositoryRoot = path.resolve(__dirname, '../../..');

function runWithoutEval(script: string) {
  return spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], {
    cwd: repositoryRoot,
    encoding: 'utf8',
  });
}

describe('no code generation from strings', () => {
  test('control: the flag does refuse new Function', () => {
    const run = runWithoutEval(`new Function('return 1')();`);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/Code generation from strings disallowed/);
  });

  test('intl-messageformat parses and formats a plural with eval refused', () => {
    const run = runWithoutEval(
      `import { IntlMessageFormat } from 'intl-messageformat';
       const m = new IntlMessageFormat('{count, plural, one {# appareil} other {# appareils}} pour {name}', 'fr', undefined, { ignoreTag: true });
       process.stdout.write(m.format({ count: 0, name: 'Ada' }));`,
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('0 appareil pour Ada');
  });
});
