/**
 * Identifiers a human can trust (docs/protocol/identifiers.md), through the enrolment-code route:
 * no address outside the profile, no look-alike of an existing member, no display name hiding
 * characters or made of nothing visible; and the start-up backfill of skeletons for older rows.
 */
import { decodeAttestation } from '@opendescent/protocol';
import { POST as createCode } from '../../app/api/admin/enrolment-codes/route';
import { POST as enrol } from '../../app/api/v1/enrol/route';
import { POST as renew } from '../../app/api/v1/renew/route';
import { backfillAddressSkeletons } from '../../src/server/members/address-skeletons';
import { signedInAdmin, type TestAdmin } from '../support/test-admin';
import { TestDevice, unb64 } from '../support/test-device';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

describe.each(DATABASE_KINDS)('identifiers on the %s database', (kind) => {
  let app: TestApp;
  let admin: TestAdmin;

  beforeAll(async () => {
    app = await startTestApp({}, kind);
    admin = await signedInAdmin(app.services, 'Identity Admin');
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  const create = (address: unknown, displayName: unknown) =>
    call(createCode, '/api/admin/enrolment-codes', { address, displayName }, { headers: admin.headers });

  /** What a refusal must leave untouched. */
  async function snapshot() {
    const prisma = app.database.prisma;
    return {
      members: await prisma.member.count(),
      codes: await prisma.enrolmentCode.count(),
      audit: await prisma.auditEvent.count(),
    };
  }

  async function expectRefused(address: unknown, displayName: unknown, status: number, error: string, message: RegExp) {
    const before = await snapshot();
    const refused = await create(address, displayName);
    expect(refused).toMatchObject({ status, json: { error } });
    expect(refused.json.message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  }

  describe('addresses', () => {
    test('ceo@ and ceо@ (Cyrillic о): the first is a member, the second is refused naming U+043E, and nothing is stored', async () => {
      expect(await create('ceo@example.org', 'Chief Executive')).toMatchObject({
        status: 201,
        json: { member: { address: 'ceo@example.org' } },
      });
      await expectRefused('ce\u043e@example.org', 'Chief Executive', 400, 'invalid_address', /U\+043E/);
    });

    test('a zero-width space in an address is refused', async () => {
      await expectRefused('c\u200beo@example.org', 'Chief Executive', 400, 'invalid_address', /U\+200B/);
    });

    test('a trailing U+202E is refused', async () => {
      await expectRefused('ceo@example.org\u202e', 'Chief Executive', 400, 'invalid_address', /U\+202E/);
    });

    test.each([
      ['a non-ASCII local part', 'zoé@example.org', /U\+00E9/],
      ['a U-label domain', 'ann@bücher.example', /U\+00FC/],
      ['two dots in a row', 'ann..lee@example.org', /dot/],
      ['a domain label starting with a hyphen', 'ann@-example.org', /domain/],
      ['not a string', 42, /expected an email address/],
    ])('an address with %s is refused with a message saying what is wrong', async (_name, address, message) => {
      await expectRefused(address, 'Ann Lee', 400, 'invalid_address', message);
    });

    test('case and pasted white space at the ends are folded away, nothing else', async () => {
      expect(await create(' Prepared@Example.ORG\t', 'Pat Red')).toMatchObject({
        status: 201,
        json: { member: { address: 'prepared@example.org' } },
      });
    });

    test.each([
      ['c0o (zero) after coo', 'coo@example.org', 'c0o@example.org'],
      ['rn after m', 'mallory@example.org', 'rnallory@example.org'],
      ['m after rn', 'rnary@example.org', 'mary@example.org'],
      ['1 after l', 'lee@example.org', '1ee@example.org'],
      ['vv after w', 'walter@example.org', 'vvalter@example.org'],
    ])(
      'a look-alike of an existing member is refused (%s): 409 naming the existing address, nothing stored',
      async (_name, existing, lookAlike) => {
        expect((await create(existing, 'First Person')).status).toBe(201);
        await expectRefused(
          lookAlike,
          'Second Person',
          409,
          'address_confusable',
          new RegExp(existing.replace(/\./g, '\\.')),
        );
      },
    );

    test('a known member gets a new code under its own address (it is no look-alike of itself)', async () => {
      expect((await create('again@example.org', 'Sam Again')).status).toBe(201);
      expect((await create('again@example.org', 'Sam Again')).status).toBe(201);
    });

    test('a new member row carries the skeleton of its address', async () => {
      const { json } = await create('skeleton0@example.org', 'Skel Eton');
      const row = await app.database.prisma.member.findUniqueOrThrow({
        where: { id: (json.member as { id: string }).id },
      });
      expect(row.addressSkeleton).toBe('skeletono@exarnple.org');
    });

    test('two look-alikes created at the same time: exactly one becomes a member', async () => {
      const [a, b] = await Promise.all([
        create('race0@example.org', 'Racer One'),
        create('raceo@example.org', 'Racer Two'),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      expect(
        await app.database.prisma.member.count({
          where: { address: { in: ['race0@example.org', 'raceo@example.org'] } },
        }),
      ).toBe(1);
    });
  });

  describe('display names', () => {
    test('a display name of only U+200B is refused', async () => {
      await expectRefused('nobody-visible@example.org', '\u200b', 400, 'invalid_display_name', /U\+200B/);
    });

    test.each([
      ['a right-to-left override', 'Alice\u202eecilA', /U\+202E/],
      ['a zero-width joiner', 'Ali\u200dce', /U\+200D/],
      ['a bidi isolate', '\u2066Bob', /U\+2066/],
      ['a control character', 'bell\u0007here', /U\+0007/],
      ['no letter', '1234', /letter/],
      ['nothing but spaces', '   ', /1-128 bytes/],
    ])('a display name with %s is refused with a message saying what is wrong', async (_name, displayName, message) => {
      await expectRefused('named@example.org', displayName, 400, 'invalid_display_name', message);
    });

    test.each([
      ['Élodie Müller', 'E\u0301lodie  Mu\u0308ller '],
      ['李小龙', '李小龙'],
      ["O'Brien", "O'Brien"],
      ['Anne-Marie', '\u00a0Anne-Marie'],
    ])(
      'the ordinary name %s is accepted, stored prepared (NFC, single spaces) and signed as such',
      async (stored, typed) => {
        const address = `n${stored.length}-${Buffer.from(stored).toString('hex').slice(0, 12)}@example.org`;
        const created = await create(address, typed);
        expect(created).toMatchObject({ status: 201, json: { member: { displayName: stored } } });
        const device = await TestDevice.create(() => app.services.now());
        const enrolled = await call(enrol, '/api/v1/enrol', await device.enrolment(created.json.code as string));
        expect(enrolled.status).toBe(201);
        expect(decodeAttestation(unb64(enrolled.json.attestation)).attestation).toMatchObject({
          userAddress: address,
          displayName: stored,
        });
      },
    );
  });

  describe('members made before the profile', () => {
    test('renewal of a device whose member breaks the profile is refused 409 identity_not_allowed, not a 500, and signs nothing', async () => {
      const code = await create('zoe.martin@example.org', 'Zoe Martin');
      expect(code.status).toBe(201);
      const device = await TestDevice.create(() => app.services.now());
      const enrolled = await call(enrol, '/api/v1/enrol', await device.enrolment(code.json.code as string));
      expect(enrolled.status).toBe(201);
      device.adopt(enrolled.json);
      // As an older version stored it: a non-ASCII address, no longer in the profile.
      const before = await app.database.prisma.member.findUniqueOrThrow({
        where: { address: 'zoe.martin@example.org' },
      });
      await app.database.prisma.member.update({
        where: { id: before.id },
        data: { address: 'zoé.martin@example.org', addressSkeleton: null },
      });
      const attestations = await app.database.prisma.attestation.count();
      const renewed = await call(renew, '/api/v1/renew', await device.renewal());
      expect(renewed).toMatchObject({ status: 409, json: { error: 'identity_not_allowed' } });
      expect(await app.database.prisma.attestation.count()).toBe(attestations);
      // Put the row back: the backfill test below counts the rows outside the profile.
      await app.database.prisma.member.update({
        where: { id: before.id },
        data: { address: before.address, addressSkeleton: before.addressSkeleton },
      });
    });
  });

  describe('the start-up backfill of skeletons', () => {
    test('fills missing skeletons; leaves look-alikes and addresses outside the profile as they are, one warning line each, naming no raw address', async () => {
      const prisma = app.database.prisma;
      const at = (minute: number) => new Date(Date.UTC(2020, 0, 1, 0, minute));
      const old = await prisma.member.create({
        data: { address: 'old@legacy.example', displayName: 'Old Timer', createdAt: at(0) },
      });
      const lookAlike = await prisma.member.create({
        data: { address: 'o1d@legacy.example', displayName: 'Look Alike', createdAt: at(1) },
      });
      const outside = await prisma.member.create({
        data: { address: 'zoé@legacy.example', displayName: 'Zoé', createdAt: at(2) },
      });
      const forger = await prisma.member.create({
        data: { address: 'evil@legacy.example\nadmin: all good', displayName: 'Evil', createdAt: at(3) },
      });

      const lines: string[] = [];
      expect(await backfillAddressSkeletons(app.services, (line) => lines.push(line))).toEqual({
        updated: 1,
        leftAlone: 3,
      });
      expect((await prisma.member.findUniqueOrThrow({ where: { id: old.id } })).addressSkeleton).toBe(
        'old@legacy.exarnple',
      );
      for (const kept of [lookAlike, outside, forger]) {
        expect(await prisma.member.findUniqueOrThrow({ where: { id: kept.id } })).toMatchObject({
          address: kept.address,
          addressSkeleton: null,
        });
      }
      expect(lines).toHaveLength(3);
      expect(lines[0]).toContain(lookAlike.id);
      expect(lines[0]).toContain(old.id);
      expect(lines[1]).toContain(outside.id);
      expect(lines[1]).toMatch(/U\+00E9/);
      expect(lines[2]).toMatch(/U\+000A/);
      for (const line of lines) {
        expect(line).not.toMatch(/[\n\r]/);
        expect(line).not.toContain('@legacy');
      }

      // Idempotent: a second start changes nothing and says the same.
      const again: string[] = [];
      expect(await backfillAddressSkeletons(app.services, (line) => again.push(line))).toEqual({
        updated: 0,
        leftAlone: 3,
      });
      expect(again).toEqual(lines);
    });
  });
});
