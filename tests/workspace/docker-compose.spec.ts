/**
 * docker-compose.yml must not describe services that cannot start, and the Dockerfile must build
 * what issue 17 asks of the images: each app service builds a Dockerfile target holding only that
 * app's dist/ folder (no npm, no development dependency) run as `node` by an entry point that
 * exists, with a health check that works and a read-only root filesystem; the build stage copies
 * every workspace's package.json before `npm ci`. Images cannot be built here (no container
 * engine, no base image): the Dockerfile is linted with dockerfile-utils, and
 * tests/e2e/start-prod.e2e.ts runs each dist/ folder as the image would. (docker-compose.yml's
 * syntax is checked by `docker-compose config -q` in npm test.)
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { validate } from 'dockerfile-utils';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../..');
const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

/** The instructions of the Dockerfile stage whose FROM line reads `from`. */
function stageOf(from: string): string {
  const stage = dockerfile.split(/^FROM /m).find((block) => block.startsWith(`${from}\n`));
  if (!stage) throw new Error(`no stage "FROM ${from}" in the Dockerfile`);
  return stage;
}

describe('docker-compose.yml', () => {
  it('describes the relay, admin, web, proxy, PostgreSQL and Redis services', () => {
    for (const service of ['relay', 'admin', 'web', 'proxy', 'postgres', 'redis']) {
      expect(compose).toMatch(new RegExp(`^  ${service}:( &[a-z-]+)?$`, 'm'));
    }
  });

  it.each([
    ['relay', 'apps/relay/src/main.ts'],
    ['admin', 'scripts/serve-next.mjs'],
    ['web', 'scripts/serve-next.mjs'],
  ])('builds the %s image from its dist/ folder alone, run by an entry point that exists', (target, source) => {
    expect(compose).toContain(`build: { context: ., target: ${target} }`);
    const stage = stageOf(`runtime AS ${target}`);
    // Only the app's own production build (its code and the packages it loads), no workspace.
    expect(stage).toContain(`COPY --from=build /app/dist/${target} ./\n`);
    expect(stage.match(/^COPY /gm)).toHaveLength(1);
    expect(stage).not.toMatch(/npm|node_modules\/\.bin/);
    expect(stage).toMatch(/^USER node$/m);
    const command = JSON.parse(/^CMD (\[.*\])$/m.exec(stage)?.[1] ?? '[]') as string[];
    const entry = command.find((part) => /\.(mjs|js)$/.test(part)) ?? '';
    // dist/relay holds the relay's sources compiled in place; dist/<app> the server entry as is.
    expect(entry.replace(/^(apps\/relay\/.*)\.js$/, '$1.ts')).toBe(source);
    expect(existsSync(path.join(root, source))).toBe(true);
    expect(stageOf('node:20-bookworm-slim AS runtime')).not.toMatch(/^(COPY|RUN) /m);
  });

  it('builds every app in one stage that installs from the lock file, every workspace package.json first', () => {
    const build = stageOf('node:20-bookworm-slim AS build');
    expect(build).toMatch(/^RUN npm run build$/m);
    const beforeInstall = build.slice(0, build.indexOf('RUN npm ci'));
    const packages = ['apps', 'libs'].flatMap((folder) =>
      readdirSync(path.join(root, folder))
        .filter((name) => existsSync(path.join(root, folder, name, 'package.json')))
        .map((name) => `${folder}/${name}`),
    );
    expect(packages).toContain('libs/relay-client');
    for (const folder of packages) expect(beforeInstall).toContain(`COPY ${folder}/package.json ${folder}/`);
  });

  it.each([
    ['relay', 'RELAY_PORT', '/health'],
    ['admin', 'ADMIN_PORT', '/api/health'],
    ['web', 'WEB_PORT', '/'],
  ])(
    'gives the %s image a health check that passes on 200 and fails otherwise',
    async (target, portVariable, route) => {
      const check = /^HEALTHCHECK .*? CMD (\[.*\])$/m.exec(stageOf(`runtime AS ${target}`))?.[1];
      const [command, ...args] = JSON.parse(check ?? '[]') as string[];
      expect(command).toBe('node');
      let status = 200;
      const requested: string[] = [];
      const server = createServer((request, response) => {
        requested.push(request.url ?? '');
        response.writeHead(status).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = String((server.address() as AddressInfo).port);
      const run = () =>
        new Promise<number | null>((resolve) =>
          execFile(process.execPath, args, { env: { ...process.env, [portVariable]: port } }, (error) =>
            resolve(error ? (typeof error.code === 'number' ? error.code : -1) : 0),
          ),
        );
      try {
        expect(await run()).toBe(0);
        status = 503;
        expect(await run()).toBe(1);
        expect(requested).toEqual([route, route]);
      } finally {
        server.close();
      }
    },
  );

  it('runs the apps with read-only root filesystems', () => {
    for (const service of ['relay', 'admin-migrate', 'admin', 'web']) {
      const block = compose.split(/^ {2}(?=\S)/m).find((part) => part.startsWith(`${service}:`)) ?? '';
      expect(block).toContain('read_only: true');
      expect(block).toContain('tmpfs: [/tmp]');
    }
    // admin-migrate runs the admin image's traced copy of the migration tool.
    expect(compose).toContain('command: ["node", "tools/prisma/migrate.mjs", "deploy"]');
    expect(existsSync(path.join(root, 'tools/prisma/migrate.mjs'))).toBe(true);
  });

  it('passes dockerfile-utils, which finds the faults it looks for', () => {
    expect(validate(dockerfile)).toEqual([]);
    // The linter is not silent on everything: a bad port and an unknown instruction are reported.
    expect(validate('FROM node:20-bookworm-slim\nEXPOSE http\nRUNN true\n').length).toBeGreaterThanOrEqual(2);
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
    expect(published.length).toBe(4); // relay, relay-2 (profile `scale`), admin, web
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

describe('docker-compose.sentinel.yml, layered over docker-compose.yml', () => {
  type Service = {
    environment?: Record<string, string>;
    profiles?: string[];
    user?: string;
    volumes?: string[];
    command?: string[];
    ports?: string[];
  };
  const read = (file: string) =>
    (parse(readFileSync(path.join(root, file), 'utf8'), { merge: true }) as { services: Record<string, Service> })
      .services;
  const base = read('docker-compose.yml');
  const sentinel = read('docker-compose.sentinel.yml');

  it('puts both relay nodes on the three sentinels, with a replica confirming every write, and no REDIS_URL', () => {
    expect(base['relay-2']).toMatchObject({ profiles: ['scale'], ports: ['127.0.0.1:3012:3002'] });
    expect(base['relay-2']?.environment).toEqual(base.relay?.environment);
    for (const node of ['relay', 'relay-2']) {
      expect(sentinel[node]?.environment).toEqual({
        REDIS_URL: '',
        RELAY_REDIS_SENTINELS: 'sentinel-1:26379,sentinel-2:26379,sentinel-3:26379',
        RELAY_REDIS_SENTINEL_NAME: 'opendescent',
        RELAY_REDIS_MIN_REPLICAS: '1',
      });
    }
    expect(sentinel.proxy?.environment?.OPENDESCENT_RELAY_UPSTREAMS).toBe('relay:3002 relay-2:3002');
  });

  it('starts every data node through deploy/redis-node.sh, and runs Redis as its own user', () => {
    for (const node of ['redis', 'redis-replica-1', 'redis-replica-2']) {
      const service = sentinel[node] as Service;
      expect(service.command?.slice(0, 2)).toEqual(['sh', '/usr/local/bin/redis-node.sh']);
      expect(service.volumes).toEqual(['./deploy/redis-node.sh:/usr/local/bin/redis-node.sh:ro']);
      expect(service.environment?.REDIS_NODE).toBe(`${node}:6379`);
      expect(service.environment?.REDIS_NODES?.split(' ')).toContain(`${node}:6379`);
      expect(service.user).toBe('redis');
    }
    for (const node of ['sentinel-1', 'sentinel-2', 'sentinel-3']) expect(sentinel[node]?.user).toBe('redis');
    expect(existsSync(path.join(root, 'deploy/redis-node.sh'))).toBe(true);
  });
});
