import type { DeviceIdentity } from '@opendescent/crypto';
import type { TrustedOrgKey } from '@opendescent/protocol';
import { AccessTokenWallet, type IssuanceStop } from '../net/access-token-wallet';
import { MessengerError } from './errors';
import type { AdminPort } from './ports';
import { TABLES, type SelfRecord } from './records';
import type { VaultLike } from './transaction';

export interface RelayAccessOptions {
  readonly vault: VaultLike;
  readonly admin: AdminPort;
  /** ms since the epoch. */
  readonly now: () => number;
  /** This device as enrolled now (its record changes with every renewal). */
  readonly device: () => { self: SelfRecord; identity: DeviceIdentity } | undefined;
  /** The admin app refused issuance: `device_revoked` (check the revocation list) or `attestation_expired` (renew). */
  readonly onStop: (code: IssuanceStop) => void;
  /** The organisation keys honoured now (org-keys.ts). */
  readonly trusted: () => readonly TrustedOrgKey[];
  /** Follows a key rotation first when the set names a signer not honoured (after a rotation it is re-signed). */
  readonly followIfUnknown: (document: Uint8Array) => Promise<void>;
  readonly batchSize?: number;
}

/**
 * The relay access tokens of this device (access-tokens.md): the wallet, its issuance requests
 * signed with this device's identity like a renewal (admin-api.md §3), its token key set checked
 * against the organisation keys this device pins.
 */
export function createRelayAccess(options: RelayAccessOptions): AccessTokenWallet {
  const current = (): { self: SelfRecord; identity: DeviceIdentity } => {
    const device = options.device();
    if (!device) throw new MessengerError('not_enrolled', 'this device is not enrolled yet');
    return device;
  };
  const { self } = current();
  const wallet = new AccessTokenWallet({
    vault: options.vault,
    table: TABLES.accessTokens,
    orgId: self.orgId,
    trusted: options.trusted,
    now: options.now,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    issuer: {
      tokenKeys: async () => {
        const bytes = await options.admin.tokenKeys();
        await options.followIfUnknown(bytes);
        return bytes;
      },
      tokens: (request) => {
        const device = current();
        return options.admin.tokens({
          orgId: device.self.orgId,
          deviceId: device.self.deviceId,
          identity: device.identity,
          ...request,
        });
      },
    },
  });
  wallet.onStop(options.onStop);
  return wallet;
}
