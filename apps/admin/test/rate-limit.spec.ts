/**
 * The sliding-window limiter (src/server/http/rate-limit.ts, admin-api.md §8): exact over any
 * window of its length, all checks or none, refused events never stored, and two callers racing
 * for the last unit cannot both take it.
 */
import {
  MAX_WINDOW_SECONDS,
  peekRateLimit,
  rateLimited,
  recordRateLimitHit,
  takeRateLimit,
  type RateLimitCheck,
} from '../src/server/http/rate-limit';
import { purgeExpired } from '../src/server/housekeeping';
import { DATABASE_KINDS, SLOW, startTestApp, type TestApp } from './support/test-services';

describe.each(DATABASE_KINDS)('sliding-window rate limits on the %s database', (kind) => {
  let app: TestApp;
  let keyCounter = 0;
  /** A key of its own for each test: the database is shared by the whole file. */
  const freshKey = (name: string) => `test:${name}:${(keyCounter += 1)}`;
  const now = () => app.services.now();
  const take = (checks: RateLimitCheck[]) => takeRateLimit(app.services, checks, now());

  beforeAll(async () => {
    app = await startTestApp({}, kind);
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  test('allows exactly the limit within a window, then refuses with the time until a unit frees', async () => {
    const check = { key: freshKey('exact'), rule: { limit: 3, windowSeconds: 60 } };
    for (let i = 0; i < 3; i++) {
      expect((await take([check])).allowed).toBe(true);
      app.advance(10);
    }
    const refused = await take([check]);
    expect(refused).toMatchObject({ allowed: false, refusedBy: check, counts: [3] });
    // The first hit was 30 s ago: it leaves the 60 s window in 30 s.
    expect(refused.retryAfterSeconds).toBe(30);
    const error = rateLimited(refused, 'tries');
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', headers: { 'Retry-After': '30' } });
  });

  test('no boundary burst: a full budget spent at the end of one window leaves nothing at the start of the next', async () => {
    const check = { key: freshKey('boundary'), rule: { limit: 30, windowSeconds: 3600 } };
    app.advance(3590);
    for (let i = 0; i < 30; i++) expect((await take([check])).allowed).toBe(true);
    app.advance(20); // a fixed hourly window would have reset here
    let answered = 0;
    for (let i = 0; i < 30; i++) if ((await take([check])).allowed) answered += 1;
    expect(answered).toBe(0);
    app.advance(3600);
    expect((await take([check])).allowed).toBe(true);
  });

  test('refused events are not stored: a flood of refusals does not extend the block or grow the table', async () => {
    const check = { key: freshKey('flood'), rule: { limit: 2, windowSeconds: 60 } };
    await take([check]);
    await take([check]);
    for (let i = 0; i < 50; i++) expect((await take([check])).allowed).toBe(false);
    expect(await app.services.prisma.rateLimitHit.count({ where: { key: check.key } })).toBe(2);
    app.advance(61);
    expect((await take([check])).allowed).toBe(true);
  });

  test('several checks count together or not at all', async () => {
    const device = { key: freshKey('device'), rule: { limit: 5, windowSeconds: 60 } };
    const member = { key: freshKey('member'), rule: { limit: 2, windowSeconds: 60 } };
    expect((await take([device, member])).allowed).toBe(true);
    expect((await take([device, member])).allowed).toBe(true);
    const refused = await take([device, member]);
    expect(refused).toMatchObject({ allowed: false, refusedBy: member, counts: [2, 2] });
    // The device's own budget was not charged for the refused event.
    expect(await app.services.prisma.rateLimitHit.count({ where: { key: device.key } })).toBe(2);
  });

  test('peek counts nothing; recorded failures count whatever the limit', async () => {
    const check = { key: freshKey('failures'), rule: { limit: 2, windowSeconds: 60 } };
    expect((await peekRateLimit(app.services.prisma, [check], now())).allowed).toBe(true);
    await recordRateLimitHit(app.services.prisma, [check.key, check.key, check.key], now());
    const peeked = await peekRateLimit(app.services.prisma, [check], now());
    expect(peeked).toMatchObject({ allowed: false, counts: [3] });
    expect(await app.services.prisma.rateLimitHit.count({ where: { key: check.key } })).toBe(3);
  });

  test('two callers racing for the last unit: exactly one gets it', async () => {
    const check = { key: freshKey('race'), rule: { limit: 1, windowSeconds: 60 } };
    const results = await Promise.all(Array.from({ length: 6 }, () => take([check])));
    expect(results.filter((r) => r.allowed)).toHaveLength(1);
    expect(await app.services.prisma.rateLimitHit.count({ where: { key: check.key } })).toBe(1);
  });

  test('a malformed rule is a programming error, refused before anything is counted', async () => {
    const key = freshKey('bad-rule');
    await expect(take([{ key, rule: { limit: 0, windowSeconds: 60 } }])).rejects.toThrow('invalid rate limit rule');
    await expect(take([{ key, rule: { limit: 1, windowSeconds: MAX_WINDOW_SECONDS + 1 } }])).rejects.toThrow(
      'invalid rate limit rule',
    );
    expect(await app.services.prisma.rateLimitHit.count({ where: { key } })).toBe(0);
  });

  test('housekeeping forgets hits older than the longest window, never younger ones', async () => {
    const old = freshKey('old');
    const young = freshKey('young');
    await recordRateLimitHit(app.services.prisma, [old], new Date(now().getTime() - (MAX_WINDOW_SECONDS + 1) * 1000));
    await recordRateLimitHit(
      app.services.prisma,
      [young],
      new Date(now().getTime() - (MAX_WINDOW_SECONDS - 60) * 1000),
    );
    await purgeExpired(app.services);
    expect(await app.services.prisma.rateLimitHit.count({ where: { key: old } })).toBe(0);
    expect(await app.services.prisma.rateLimitHit.count({ where: { key: young } })).toBe(1);
  });
});
