import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Redis tests run when REDIS_URL is set (CI sets it) and say so when skipped. */
export const REDIS_URL = process.env.REDIS_URL;

export function describeWithRedis(name: string, body: () => void): void {
  if (REDIS_URL) {
    describe(name, body);
  } else {
    describe(name, () => {
      it.skip(`SKIPPED: set REDIS_URL (e.g. redis://127.0.0.1:6379) to run "${name}"`, () => undefined);
    });
    // A visible line in the test output, not only a skipped count.
    console.warn(`[relay tests] "${name}" SKIPPED: REDIS_URL is not set`);
  }
}

/** A key prefix of its own per test run, so suites never see each other's keys. */
export function testPrefix(): string {
  return `odr-test:${randomBytes(6).toString('hex')}:`;
}

export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL as string);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Every key and value under a prefix, as raw bytes: what a dump of this Redis would expose. */
export async function dumpKeys(prefix: string): Promise<Buffer[]> {
  const redis = new Redis(REDIS_URL as string);
  const out: Buffer[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scanBuffer(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      for (const key of keys) {
        out.push(key);
        const dumped = await redis.dumpBuffer(key);
        if (dumped) out.push(dumped);
      }
      cursor = String(next);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return out;
}
