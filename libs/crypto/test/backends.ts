/** Runs a suite once per curve backend, forcing it with setCurveBackend (curve-backend.ts). */
import { setCurveBackend, type CurveBackendName } from '../src/curve-backend';

export const CURVE_BACKENDS: readonly CurveBackendName[] = ['noble', 'webcrypto'];

export function describeEachCurveBackend(name: string, body: (backend: CurveBackendName) => void): void {
  describe.each(CURVE_BACKENDS)(`${name} [%s backend]`, (backend) => {
    beforeAll(() => setCurveBackend(backend));
    afterAll(() => setCurveBackend('auto'));
    body(backend);
  });
}
