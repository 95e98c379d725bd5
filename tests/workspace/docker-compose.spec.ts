/**
 * docker-compose.yml must not describe services that cannot start: each app service builds a
 * Dockerfile target that exists and runs an entry point that exists (or, for the relay, one the
 * stage compiles from a source that exists), and the shared stage copies every workspace's
 * package.json before `npm ci`. (Its syntax is checked by
 * `docker-compose config -q` in npm test.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

describe('docker-compose.yml', () => {
  it('describes the relay, admin, web, proxy, PostgreSQL and Redis services', () => {
    for (const service of ['relay', 'admin', 'web', 'proxy', 'postgres', 'redis']) {
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
      const files = command.filter((part) => /\.(mjs|cjs|ts|js)$/.test(part));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        // A compiled entry point is made in the stage itself, from a source that exists.
        if (file.startsWith('dist/relay/')) {
          expect(stage).toContain('RUN node tools/build/relay.mjs');
          expect(existsSync(path.join(root, file.slice('dist/relay/'.length).replace(/\.js$/, '.ts')))).toBe(true);
        } else expect(existsSync(path.join(root, file))).toBe(true);
      }
    },
  );

  it('copies every workspace package.json before npm ci, so that the lock file installs', () => {
    const workspace = dockerfile.split(/^FROM /m).find((block) => block.includes(' AS workspace\n')) ?? '';
    const beforeInstall = workspace.slice(0, workspace.indexOf('RUN npm ci'));
    const packages = ['apps', 'libs'].flatMap((folder) =>
      readdirSync(path.join(root, folder))
        .filter((name) => existsSync(path.join(root, folder, name, 'package.json')))
        .map((name) => `${folder}/${name}`),
    );
    expect(packages).toContain('libs/relay-client');
    for (const folder of packages) expect(beforeInstall).toContain(`COPY ${folder}/package.json ${folder}/`);
  });

  it('ships no database password and no master key: both must be given at deploy time', () => {
    expect(compose).toContain('${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}');
    expect(compose).not.toMatch(/POSTGRES_PASSWORD: (?!\$\{)/);
    expect(compose).toContain('ADMIN_MASTER_KEY: ${ADMIN_MASTER_KEY:?set ADMIN_MASTER_KEY}');
  });

  it('points the relay at the redis service, with its attachment bytes on a volume', () => {
    const relay = compose.split(/^ {2}(?=\S)/m).find((block) => block.startsWith('relay:')) ?? '';
    expect(relay).toContain('RELAY_STORE: redis');
    expect(relay).toContain('REDIS_URL: redis://redis:6379');
    expect(relay).toContain('relay-attachments:/var/lib/opendescent/attachments');
    expect(dockerfile).toContain('/var/lib/opendescent/attachments');
  });

  it('publishes the apps on loopback only; staff reach them through the TLS proxy on 443 alone', () => {
    const published = [...compose.matchAll(/"(\S+?):(\d+):(\d+)"/g)].map((m) => m[1]);
    expect(published.length).toBe(3);
    expect(new Set(published)).toEqual(new Set(['127.0.0.1']));
    const proxy = compose.split(/^ {2}(?=\S)/m).find((block) => block.startsWith('proxy:')) ?? '';
    expect(proxy).toContain('build: { context: ., target: proxy }');
    expect(proxy).toContain('ports: ["443:443"]');
    expect([...compose.matchAll(/^\s+ports: \["(\d+):/gm)].map((m) => m[1])).toEqual(['443']);
    // Every value the Caddyfile reads is given, and its upstreams are the compose services.
    const caddyfile = readFileSync(path.join(root, 'Caddyfile'), 'utf8');
    for (const [, name] of caddyfile.matchAll(/\{\$(OPENDESCENT_[A-Z_]+)\}/g)) expect(proxy).toContain(`${name}:`);
    expect(proxy).toContain('OPENDESCENT_RELAY_UPSTREAMS: relay:3002');
    const stage = dockerfile.split(/^FROM /m).find((block) => block.includes(' AS proxy\n')) ?? '';
    expect(stage).toContain('COPY Caddyfile /etc/caddy/Caddyfile');
    expect(stage).toMatch(/^USER caddy$/m);
  });

  it('tells the apps their https names and lets the admin app believe the proxy alone', () => {
    expect(compose).toContain('ADMIN_PUBLIC_URL: https://${ADMIN_PUBLIC_HOST:-admin.localhost}');
    expect(compose).toContain('WEB_RELAY_URL: https://${RELAY_PUBLIC_HOST:-relay.localhost}');
    expect(compose).toContain('RELAY_ALLOWED_ORIGINS: https://${WEB_PUBLIC_HOST:-chat.localhost}');
    const proxyAddress = /ipv4_address: ([\d.]+)/.exec(compose)?.[1];
    expect(compose).toContain(`ADMIN_TRUSTED_PROXIES: ${proxyAddress}`);
  });
});
