// A device enrolled through the real routes: a code made by a signed-in administrator, then the
// device's own signed enrolment request (admin-api.md §4). For specs that need enrolled devices
// as a starting point rather than enrolment itself.
import { POST as createCode } from '../../app/api/admin/enrolment-codes/route';
import { POST as enrol } from '../../app/api/v1/enrol/route';
import { sessionFor, type TestAdmin } from './test-admin';
import { TestDevice } from './test-device';
import { call, type TestApp } from './test-services';

/** Session headers of the administrator, fresh for each call (tests move the clock). */
export async function adminHeaders(app: TestApp, admin: TestAdmin): Promise<Record<string, string>> {
  return (await sessionFor(app.services, admin.id)).headers;
}

export async function enrolledDevice(
  app: TestApp,
  admin: TestAdmin,
  address: string,
  displayName = 'Staff Member',
): Promise<TestDevice> {
  const code = await call(
    createCode,
    '/api/admin/enrolment-codes',
    { address, displayName },
    { headers: await adminHeaders(app, admin) },
  );
  if (code.status !== 201) throw new Error(`no enrolment code: ${JSON.stringify(code.json)}`);
  const device = await TestDevice.create(() => app.services.now());
  const { status, json } = await call(enrol, '/api/v1/enrol', await device.enrolment(code.json.code as string));
  if (status !== 201) throw new Error(`enrolment refused: ${JSON.stringify(json)}`);
  device.adopt(json);
  return device;
}
