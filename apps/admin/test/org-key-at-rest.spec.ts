/**
 * The organisation key at rest (docs/decisions/0006-admin-auth.md): sealed under the master key,
 * bound to its org id and public key, useless with another master key, erased when retired.
 */
import { randomBytes } from 'node:crypto';
import { generateEd25519KeyPair } from '@opendescent/crypto';
import { loadServerConfig } from '../server-config.mjs';
import { OrgKeyUnavailableError, openOrgKeySeed, sealOrgKeySeed } from '../src/server/org/org-key-sealing';
import { activeSigner, ensureOrganisation } from '../src/server/org/organisation';
import { createAdminServices } from '../src/server/services';
import { SLOW, startTestApp, type TestApp } from './support/test-services';

describe('sealing', () => {
  const master = new Uint8Array(randomBytes(32));
  const orgId = new Uint8Array(randomBytes(16));

  test('a sealed seed opens with the same master key, org id and public key', async () => {
    const { publicKey, privateKey } = await generateEd25519KeyPair();
    const sealed = sealOrgKeySeed(master, orgId, publicKey, privateKey.exposeBytes());
    expect(sealed[0]).toBe(1);
    expect(Buffer.from(sealed).includes(Buffer.from(privateKey.exposeBytes()))).toBe(false);
    expect(openOrgKeySeed(master, orgId, publicKey, sealed).exposeBytes()).toEqual(privateKey.exposeBytes());
  });

  test.each([
    [
      'another master key',
      (s: Uint8Array, pk: Uint8Array) => openOrgKeySeed(new Uint8Array(randomBytes(32)), orgId, pk, s),
    ],
    ['another org id', (s: Uint8Array, pk: Uint8Array) => openOrgKeySeed(master, new Uint8Array(16), pk, s)],
    [
      'another public key (box moved to another row)',
      (s: Uint8Array) => openOrgKeySeed(master, orgId, new Uint8Array(32), s),
    ],
    [
      'a flipped bit',
      (s: Uint8Array, pk: Uint8Array) =>
        openOrgKeySeed(
          master,
          orgId,
          pk,
          s.map((b, i) => (i === 30 ? b ^ 1 : b)),
        ),
    ],
    [
      'an unknown format byte',
      (s: Uint8Array, pk: Uint8Array) =>
        openOrgKeySeed(
          master,
          orgId,
          pk,
          s.map((b, i) => (i === 0 ? 2 : b)),
        ),
    ],
  ])('does not open with %s', async (_what, attempt) => {
    const { publicKey, privateKey } = await generateEd25519KeyPair();
    const sealed = sealOrgKeySeed(master, orgId, publicKey, privateKey.exposeBytes());
    expect(() => attempt(sealed, publicKey)).toThrow(OrgKeyUnavailableError);
  });
});

describe('in the database', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  }, SLOW);
  afterAll(async () => {
    await app?.close();
  }, SLOW);

  test('the org key row holds the public key and a sealed private key, never the seed', async () => {
    await ensureOrganisation(app.services);
    const signer = await activeSigner(app.services);
    const row = await app.database.prisma.orgKey.findFirstOrThrow();
    expect(Buffer.from(row.publicKey)).toEqual(Buffer.from(signer.privateKey.publicKey));
    expect(Buffer.from(row.sealedPrivateKey as Uint8Array).includes(Buffer.from(signer.privateKey.exposeBytes()))).toBe(
      false,
    );
  });

  test('another master key cannot sign: a clear error names the master key', async () => {
    const other = createAdminServices(
      app.database.prisma,
      loadServerConfig({
        ADMIN_MASTER_KEY: randomBytes(32).toString('hex'),
        ADMIN_PUBLIC_URL: 'http://localhost:3001',
      }),
    );
    await expect(activeSigner(other)).rejects.toThrow(/master key does not open the organisation key/);
    other.pusher.close();
  });
});
