/**
 * docker-compose.yml must not describe services that cannot start: each app service builds a
 * Dockerfile target that exists and runs an entry point that exists. (Its syntax is checked by
 * `docker-compose config -q` in npm test.)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

describe('docker-compose.yml', () => {
  it('describes the relay, admin, web, PostgreSQL and Redis services', () => {
    for (const service of ['relay', 'admin', 'web', 'postgres', 'redis']) {
      expect(compose).toMatch(new RegExp(`^  ${service}:$`, 'm'));
    }
  });

  it.each(['relay', 'admin', 'web'])(
    'builds the %s service from a Dockerfile target whose entry point exists',
    (target) => {
      expect(compose).toContain(`build: { context: ., target: ${target} }`);
      const stage = dockerfile.split(/^FROM /m).find((block) => block.startsWith(`workspace AS ${target}\n`));
      expect(stage).toBeDefined();
      const command = JSON.parse(/^CMD (\[.*\])$/m.exec(stage ?? '')?.[1] ?? '[]') as string[];
      const files = command.filter((part) => /\.(mjs|cjs|ts)$/.test(part));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(existsSync(path.join(root, file))).toBe(true);
    },
  );

  it('ships no database password and no master key: both must be given at deploy time', () => {
    expect(compose).toContain('${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}');
    expect(compose).not.toMatch(/POSTGRES_PASSWORD: (?!\$\{)/);
    expect(compose).toContain('ADMIN_MASTER_KEY: ${ADMIN_MASTER_KEY:?set ADMIN_MASTER_KEY}');
  });

  it('publishes ports on loopback only', () => {
    const published = [...compose.matchAll(/"(\S+?):(\d+):(\d+)"/g)].map((m) => m[1]);
    expect(published.length).toBe(3);
    expect(new Set(published)).toEqual(new Set(['127.0.0.1']));
  });
});
