/**
 * The admin app's device API played in memory for the messenger's tests (the real one is driven
 * by tests/e2e): an organisation key made at test time signs attestations and revocation lists,
 * one-time codes enrol devices, the directory answers exact addresses.
 */
import { randomBytes } from 'node:crypto';
import type { DeviceIdentity } from '@opendescent/crypto';
import { decodeAttestation, signAttestation, signRevocationList, type RevocationReason } from '@opendescent/protocol';
import { AdminRequestError } from '../../src/net/admin-client';
import type { AdminPort, AttestationAnswer, DirectoryDevice } from '../../src/messenger/ports';
import { nowSeconds, type TestOrg } from '../net/support/relay-process';

interface Enrolled extends Omit<DirectoryDevice, 'attestation'> {
  attestation: Uint8Array;
  readonly address: string;
  revoked?: { reason: RevocationReason; at: number };
}

export class FakeAdmin {
  readonly devices: Enrolled[] = [];
  private readonly codes = new Map<string, { address: string; displayName: string }>();
  private list: Uint8Array | undefined;
  lookups = 0;
  renewals = 0;

  constructor(readonly org: TestOrg) {}

  code(address: string, displayName: string): string {
    const code = randomBytes(12).toString('hex').toUpperCase();
    this.codes.set(code, { address, displayName });
    return code;
  }

  private async attest(identity: DeviceIdentity, deviceId: Uint8Array, address: string, displayName: string): Promise<AttestationAnswer> {
    const issuedAt = nowSeconds() - 5;
    const expiresAt = issuedAt + 7 * 86_400;
    const attestation = await signAttestation(
      { orgId: this.org.orgId, deviceId, userAddress: address, displayName, signingKey: identity.signing.publicKey, agreementKey: identity.agreement.publicKey, issuedAt, expiresAt },
      this.org.key.privateKey,
    );
    return { deviceId, attestation, expiresAt, renewAfter: issuedAt + 3.5 * 86_400, org: { orgId: this.org.orgId, keys: [{ publicKey: this.org.key.publicKey, status: 'active' }] } };
  }

  async revoke(deviceId: Uint8Array, reason: RevocationReason = 'lost_or_stolen'): Promise<void> {
    const device = this.devices.find((d) => Buffer.compare(Buffer.from(d.deviceId), Buffer.from(deviceId)) === 0);
    if (!device) throw new Error('no such device');
    device.revoked = { reason, at: nowSeconds() };
    this.list = undefined;
  }

  readonly port: AdminPort = {
    enrol: async ({ code, identity, prekeySlotId }) => {
      const entry = this.codes.get(code);
      if (!entry) throw new AdminRequestError(400, 'code_invalid', 'no such code');
      this.codes.delete(code);
      const deviceId = new Uint8Array(randomBytes(16));
      const answer = await this.attest(identity, deviceId, entry.address, entry.displayName);
      this.devices.push({ deviceId, attestation: answer.attestation, prekeySlotId, address: entry.address });
      return answer;
    },
    renew: async ({ deviceId, identity }) => {
      const device = this.devices.find((d) => Buffer.compare(Buffer.from(d.deviceId), Buffer.from(deviceId)) === 0);
      if (!device) throw new AdminRequestError(404, 'unknown_device', 'no such device');
      if (device.revoked) throw new AdminRequestError(403, 'device_revoked', 'revoked');
      this.renewals++;
      const decoded = decodeAttestation(device.attestation).attestation;
      const answer = await this.attest(identity, deviceId, decoded.userAddress, decoded.displayName);
      device.attestation = answer.attestation;
      return answer;
    },
    lookup: async ({ address }) => {
      this.lookups++;
      const devices = this.devices
        .filter((d) => d.address === address && !d.revoked)
        .map(({ deviceId, attestation, prekeySlotId }) => ({ deviceId, attestation, ...(prekeySlotId ? { prekeySlotId } : {}) }));
      return { address, devices };
    },
    revocationList: async () => {
      this.list ??= await signRevocationList(
        {
          orgId: this.org.orgId,
          listVersion: this.org.nextListVersion++,
          issuedAt: nowSeconds(),
          revoked: this.devices.filter((d) => d.revoked).map((d) => ({ deviceId: d.deviceId, revokedAt: d.revoked?.at ?? 0, reason: d.revoked?.reason ?? 'unspecified' })),
        },
        this.org.key.privateKey,
      );
      return this.list;
    },
  };
}
