/**
 * Every app validates its environment at start: a bad value gives one line naming the variable
 * and a non-zero exit, before anything listens. Checked through the real entry points.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function run(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr.trim(), stdout: result.stdout.trim() };
}

describe('start-up configuration errors', () => {
  it.each([
    [
      ['scripts/start.mjs'],
      { WEB_PORT: 'eighty' },
      'start: WEB_PORT: expected a TCP port number (0-65535, 0 picks a free one), got "eighty"',
    ],
    [
      ['scripts/serve-next.mjs', 'apps/web'],
      { WEB_RELAY_URL: 'relay' },
      'web: invalid configuration: WEB_RELAY_URL: expected an http(s) URL such as http://127.0.0.1:3002',
    ],
    [
      ['scripts/serve-next.mjs', 'apps/admin'],
      { DATABASE_URL: 'sqlite:x' },
      'admin: invalid configuration: DATABASE_URL: expected a postgresql:// connection URL',
    ],
    [
      ['-r', './apps/relay/register.cjs', 'apps/relay/src/main.ts'],
      { RELAY_ALLOWED_ORIGINS: 'nope' },
      'relay: invalid configuration: RELAY_ALLOWED_ORIGINS: expected a comma-separated list of origins such as http://127.0.0.1:3000',
    ],
  ])(
    'node %j with %j exits 1 with one clear line',
    (args, env, line) => {
      const result = run(args, env);
      expect(result.stderr).toBe(line);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
    },
    60_000,
  );
});
