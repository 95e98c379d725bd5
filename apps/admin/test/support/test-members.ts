// Members and their enrolled devices for tests that drive the device API: codes made through the
// admin API, devices enrolled through /api/v1/enrol, look-ups through /api/v1/directory/lookup.
import { POST as enrol } from '../../app/api/v1/enrol/route';
import { POST as lookup } from '../../app/api/v1/directory/lookup/route';
import { GET as orgConfig } from '../../app/api/v1/org/route';
import { POST as createCode } from '../../app/api/admin/enrolment-codes/route';
import { sessionFor } from './test-admin';
import { TestDevice, unb64 } from './test-device';
import { call, type TestApp } from './test-services';

export const LOOKUP_PATH = '/api/v1/directory/lookup';

export interface TestMembers {
  /** Headers of a fresh admin session (the clock moves by days in these tests). */
  adminHeaders(): Promise<Record<string, string>>;
  enrolledDevice(address: string, displayName?: string): Promise<TestDevice>;
  /** `count` devices of one member. */
  devicesOf(address: string, count: number): Promise<TestDevice[]>;
  look(device: TestDevice, address: string): ReturnType<typeof call>;
  /** The organisation keys a verifier pins now. */
  trusted(): Promise<{ orgId: Uint8Array; publicKey: Uint8Array }[]>;
}

export function testMembers(app: TestApp, adminId: string): TestMembers {
  const now = () => app.services.now();
  const adminHeaders = async () => (await sessionFor(app.services, adminId)).headers;
  const enrolledDevice = async (address: string, displayName = 'Staff Member') => {
    const code = await call(
      createCode,
      '/api/admin/enrolment-codes',
      { address, displayName },
      { headers: await adminHeaders() },
    );
    if (code.status !== 201) throw new Error(`enrolment code refused: ${JSON.stringify(code.json)}`);
    const device = await TestDevice.create(now);
    const { status, json } = await call(enrol, '/api/v1/enrol', await device.enrolment(code.json.code as string));
    if (status !== 201) throw new Error(`enrolment refused: ${JSON.stringify(json)}`);
    device.adopt(json);
    return device;
  };
  return {
    adminHeaders,
    enrolledDevice,
    devicesOf: async (address, count) => {
      const devices: TestDevice[] = [];
      for (let i = 0; i < count; i++) devices.push(await enrolledDevice(address));
      return devices;
    },
    look: async (device, address) => call(lookup, LOOKUP_PATH, await device.lookup(address)),
    trusted: async () => {
      const { json } = await call(orgConfig, '/api/v1/org');
      const orgId = unb64(json.orgId);
      return (json.keys as { publicKey: string; status: string }[])
        .filter((k) => k.status !== 'pending')
        .map((k) => ({ orgId, publicKey: unb64(k.publicKey) }));
    },
  };
}
