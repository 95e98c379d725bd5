/**
 * The directory's look-up itself (docs/protocol/admin-api.md §7): one exact address, the
 * attestations of the colleague's current devices, every refusal the spec lists, and the answer
 * floor that makes existing and unknown addresses take the same time. Limits, alerts and
 * suspension are in directory.spec.ts.
 */
import { verifyAttestation } from '@opendescent/protocol';
import { POST as revoke } from '../../app/api/admin/devices/revoke/route';
import { POST as renew } from '../../app/api/v1/renew/route';
import { POST as lookup } from '../../app/api/v1/directory/lookup/route';
import { withAnswerFloor, type FloorClock } from '../../src/server/directory/answer-floor';
import { lookUpColleague } from '../../src/server/directory/directory-lookup';
import { signedInAdmin } from '../support/test-admin';
import { b64, type TestDevice, unb64 } from '../support/test-device';
import { LOOKUP_PATH, testMembers, type TestMembers } from '../support/test-members';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

const DAY = 24 * 3600;
const hex = (device: TestDevice) => Buffer.from(device.deviceId as Uint8Array).toString('hex');

/** A clock that only moves when slept on (or when a test moves it): no wall-clock assertions. */
class SteppedClock implements FloorClock {
  ms = 1000;
  readonly slept: number[] = [];
  nowMs(): number {
    return this.ms;
  }
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.ms += ms;
  }
}

describe('the answer floor', () => {
  test('a fast answer is held until the floor, then released unchanged', async () => {
    const clock = new SteppedClock();
    const answer = await withAnswerFloor(100, clock, async () => {
      clock.ms += 30;
      return 'answer';
    });
    expect(answer).toBe('answer');
    expect(clock.slept).toEqual([70]);
  });

  test('an answer slower than the floor is released at once', async () => {
    const clock = new SteppedClock();
    await withAnswerFloor(100, clock, async () => {
      clock.ms += 150;
    });
    expect(clock.slept).toEqual([]);
  });

  test('a refusal is held to the floor like an answer, and is the same error', async () => {
    const clock = new SteppedClock();
    const refusal = new Error('refused');
    await expect(
      withAnswerFloor(100, clock, async () => {
        clock.ms += 10;
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(clock.slept).toEqual([90]);
  });

  test('a floor of 0 never sleeps', async () => {
    const clock = new SteppedClock();
    await withAnswerFloor(0, clock, async () => 'now');
    expect(clock.slept).toEqual([]);
  });
});

describe.each(DATABASE_KINDS)('the directory look-up on the %s database', (kind) => {
  let app: TestApp;
  let m: TestMembers;
  beforeAll(async () => {
    app = await startTestApp({ ADMIN_DIRECTORY_ANSWER_FLOOR_MS: '0' }, kind);
    m = testMembers(app, (await signedInAdmin(app.services)).id);
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  /** Each test starts a day later, so that no limit's window of an earlier test is still open. */
  beforeEach(() => app.advance(DAY + 60));

  const prisma = () => app.database.prisma;
  const audits = (action: string) => prisma().auditEvent.count({ where: { action } });

  describe('look-ups', () => {
    let asker: TestDevice;

    beforeAll(async () => {
      asker = await m.enrolledDevice('asker@example.org', 'Asker');
      await m.enrolledDevice('bob@example.org', 'Bob Durand');
      await m.enrolledDevice('bob@example.org', 'Bob Durand');
    });

    // The asker's attestation lives 7 days and each test moves the clock a day: renew first.
    beforeEach(async () => asker.adopt((await call(renew, '/api/v1/renew', await asker.renewal())).json));

    test('an attested device finds a colleague by exact address: attestations of current devices only', async () => {
      const { status, json } = await m.look(asker, 'bob@example.org');
      expect(status).toBe(200);
      expect(Object.keys(json).sort()).toEqual(['address', 'devices']);
      const devices = json.devices as { deviceId: string; attestation: string }[];
      expect(devices).toHaveLength(2);
      for (const entry of devices) {
        expect(Object.keys(entry).sort()).toEqual(['attestation', 'deviceId']);
        const attestation = await verifyAttestation(unb64(entry.attestation), {
          trusted: await m.trusted(),
          now: Math.floor(app.services.now().getTime() / 1000),
        });
        expect(attestation).toMatchObject({ userAddress: 'bob@example.org', displayName: 'Bob Durand' });
      }
      const audit = await prisma().auditEvent.findFirst({
        where: { action: 'directory.lookup' },
        orderBy: { id: 'desc' },
      });
      expect(audit).toMatchObject({
        actor: `device:${hex(asker)}`,
        detail: { devicesReturned: 2, requester: 'asker@example.org' },
      });
    });

    test('case is folded; an unknown address and one without current devices look the same', async () => {
      expect((await m.look(asker, 'BOB@Example.org')).json.devices).toHaveLength(2);
      expect((await m.look(asker, 'nobody@example.org')).json).toEqual({ address: 'nobody@example.org', devices: [] });
    });

    test('revoked devices of the colleague are left out', async () => {
      const carol = await m.enrolledDevice('carol@example.org');
      await m.enrolledDevice('carol@example.org');
      await call(
        revoke,
        '/api/admin/devices/revoke',
        { deviceId: hex(carol), reason: 'replaced' },
        { headers: await m.adminHeaders() },
      );
      const devices = (await m.look(asker, 'carol@example.org')).json.devices as { deviceId: string }[];
      expect(devices.map((d) => d.deviceId)).not.toContain(b64(carol.deviceId as Uint8Array));
      expect(devices).toHaveLength(1);
    });

    test.each([
      ['*'],
      ['%'],
      [''],
      ['   '],
      ['bob'],
      ['bob@'],
      ['@example.org'],
      ['b*@example.org'],
      ['%@example.org'],
      ['bo?@example.org'],
      ['example.org'],
    ])('a listing attempt (%p) is refused (invalid_address), audited, and costs budget', async (query) => {
      const before = await audits('directory.lookup_refused');
      const counted = await prisma().rateLimitHit.count({ where: { key: `directory:device:${hex(asker)}` } });
      expect(await m.look(asker, query)).toMatchObject({ status: 400, json: { error: 'invalid_address' } });
      expect(await audits('directory.lookup_refused')).toBe(before + 1);
      expect(await prisma().rateLimitHit.count({ where: { key: `directory:device:${hex(asker)}` } })).toBe(counted + 1);
    });

    test('an unattested look-up is refused (attestation_required), a forged or foreign one too', async () => {
      const body = await asker.lookup('bob@example.org');
      delete body.attestation;
      expect(await call(lookup, LOOKUP_PATH, body)).toMatchObject({
        status: 401,
        json: { error: 'attestation_required' },
      });
      const tampered = new Uint8Array(asker.attestation as Uint8Array);
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
      expect(
        await call(lookup, LOOKUP_PATH, { ...(await asker.lookup('bob@example.org')), attestation: b64(tampered) }),
      ).toMatchObject({
        status: 401,
        json: { error: 'attestation_invalid', message: expect.stringContaining('bad_signature') },
      });
    });

    test("another device's attestation does not authenticate a look-up", async () => {
      const other = await m.enrolledDevice('other@example.org');
      const borrowed = await asker.sign(
        {
          type: 'lookup',
          orgId: b64(asker.orgId as Uint8Array),
          deviceId: b64(other.deviceId as Uint8Array),
          address: 'bob@example.org',
        },
        { attestation: other.attestation as Uint8Array },
      );
      expect(await call(lookup, LOOKUP_PATH, borrowed)).toMatchObject({
        status: 401,
        json: { error: 'bad_signature' },
      });
    });

    test('an expired attestation is refused (attestation_invalid: expired)', async () => {
      const stale = await m.enrolledDevice('stale@example.org');
      app.advance(7 * DAY);
      expect(await m.look(stale, 'bob@example.org')).toMatchObject({
        status: 401,
        json: { error: 'attestation_invalid', message: expect.stringContaining('expired') },
      });
    });

    test('a replayed look-up is refused (replayed)', async () => {
      const body = await asker.lookup('bob@example.org');
      expect((await call(lookup, LOOKUP_PATH, body)).status).toBe(200);
      expect(await call(lookup, LOOKUP_PATH, body)).toMatchObject({ status: 409, json: { error: 'replayed' } });
    });
  });

  test('an existing and an unknown address, and a refusal, are released at the same configured floor', async () => {
    const [asker] = (await m.devicesOf('timed@example.org', 1)) as [TestDevice];
    await m.enrolledDevice('present@example.org');
    const floored = {
      ...app.services,
      config: { ...app.services.config, directory: { ...app.services.config.directory, answerFloorMs: 250 } },
    };
    const clock = new SteppedClock();
    const existing = await lookUpColleague(floored, await asker.lookup('present@example.org'), clock);
    const unknown = await lookUpColleague(floored, await asker.lookup('absent@example.org'), clock);
    expect((existing.body.devices as unknown[]).length).toBe(1);
    expect(unknown.body.devices).toEqual([]);
    await expect(lookUpColleague(floored, { payload: 'not json' }, clock)).rejects.toMatchObject({ status: 400 });
    // The stepped clock did not move during the work: each was held the whole floor.
    expect(clock.slept).toEqual([250, 250, 250]);
  });
});
