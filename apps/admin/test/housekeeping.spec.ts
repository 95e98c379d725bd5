import { purgeExpired } from '../src/server/housekeeping';
import { SLOW, startTestApp, type TestApp } from './support/test-services';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, SLOW);
afterAll(async () => {
  await app?.close();
}, SLOW);

test('housekeeping deletes expired nonces, challenges, sessions and old rate windows, and keeps the rest', async () => {
  const now = app.services.now();
  const past = new Date(now.getTime() - 1000);
  const future = new Date(now.getTime() + 60_000);
  const prisma = app.database.prisma;
  const admin = await prisma.admin.create({ data: { displayName: 'H' } });
  await prisma.deviceRequestNonce.createMany({
    data: [
      { nonce: new Uint8Array([1]), expiresAt: past },
      { nonce: new Uint8Array([2]), expiresAt: future },
    ],
  });
  await prisma.webAuthnChallenge.createMany({
    data: [
      { challenge: 'old', purpose: 'authenticate', expiresAt: past },
      { challenge: 'new', purpose: 'authenticate', expiresAt: future },
    ],
  });
  await prisma.adminSession.createMany({
    data: [
      { tokenHash: new Uint8Array([1]), adminId: admin.id, expiresAt: past },
      { tokenHash: new Uint8Array([2]), adminId: admin.id, expiresAt: future },
    ],
  });
  await prisma.rateLimitHit.createMany({
    data: [
      { key: 'old', at: new Date(now.getTime() - 2 * 24 * 3600 * 1000) },
      { key: 'new', at: now },
    ],
  });
  await purgeExpired(app.services);
  expect((await prisma.deviceRequestNonce.findMany()).map((n) => n.nonce[0])).toEqual([2]);
  expect((await prisma.webAuthnChallenge.findMany()).map((c) => c.challenge)).toEqual(['new']);
  expect((await prisma.adminSession.findMany()).map((s) => s.tokenHash[0])).toEqual([2]);
  expect((await prisma.rateLimitHit.findMany()).map((r) => r.key)).toEqual(['new']);
});
