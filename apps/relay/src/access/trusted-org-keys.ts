import type { TrustedOrgKey } from '@opendescent/protocol';
import type { RelayConfig } from '../config/relay-config';

const cache = new WeakMap<RelayConfig, readonly TrustedOrgKey[]>();

/** The organisation keys the relay pins (relay.md §7): none when unconfigured, so nobody signs in. */
export function trustedOrgKeys(config: RelayConfig): readonly TrustedOrgKey[] {
  let keys = cache.get(config);
  if (keys === undefined) {
    const orgId = config.RELAY_ORG_ID;
    keys = orgId === undefined ? [] : (config.RELAY_ORG_PUBLIC_KEYS ?? []).map((publicKey) => ({ orgId, publicKey }));
    cache.set(config, keys);
  }
  return keys;
}
