/** Signed device requests to the admin app (docs/protocol/admin-api.md §3). */
import { generateEd25519KeyPair } from '@opendescent/crypto';
import { deviceRequestSigningInput, signDeviceRequest, verifyDeviceRequest } from '../src/index';

describe('device request signatures', () => {
  it('sign exactly label || 0x00 || the payload string as sent (admin-api.md §3.2)', () => {
    const payload = '{"v":1,"type":"renew","é":"ü"}';
    expect(Buffer.from(deviceRequestSigningInput(payload))).toEqual(
      Buffer.concat([
        Buffer.from('OpenDescent admin request v1', 'utf8'),
        Buffer.from([0]),
        Buffer.from(payload, 'utf8'),
      ]),
    );
  });

  it('verify for the signed payload and key only', async () => {
    const device = await generateEd25519KeyPair();
    const other = await generateEd25519KeyPair();
    const payload = '{"v":1,"type":"lookup","address":"bob@example.org"}';
    const signature = await signDeviceRequest(payload, device.privateKey);
    expect(await verifyDeviceRequest(payload, signature, device.publicKey)).toBe(true);
    expect(await verifyDeviceRequest(payload.replace('bob', 'eve'), signature, device.publicKey)).toBe(false);
    expect(await verifyDeviceRequest(`${payload} `, signature, device.publicKey)).toBe(false);
    expect(await verifyDeviceRequest(payload, signature, other.publicKey)).toBe(false);
  });
});
