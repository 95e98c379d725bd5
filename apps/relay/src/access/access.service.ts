import { Inject, Injectable } from '@nestjs/common';
import {
  ProtocolError,
  verifyAttestation,
  verifyHelloSignature,
  type DeviceAttestation,
  type ProtocolErrorCode,
  type RelayCommandOf,
  type RelayErrorName,
} from '@opendescent/protocol';
import { RevocationService } from '../revocation/revocation.service';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import { trustedOrgKeys } from './trusted-org-keys';

/** relay.md §3.2, steps 2-5: each attestation failure has its own code; anything else is malformed. */
const ATTESTATION_ERRORS: Partial<Record<ProtocolErrorCode, RelayErrorName>> = {
  unknown_signer: 'attestation_unknown_signer',
  bad_signature: 'attestation_bad_signature',
  expired: 'attestation_expired',
  not_yet_valid: 'attestation_not_yet_valid',
};

/**
 * Attested access (relay.md §3.2): the organisation vouches for the device, the revocation list
 * does not name it, and the device proves it holds its attested key by signing this connection's
 * challenge. All checks are offline.
 */
@Injectable()
export class AccessService {
  constructor(
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
    private readonly revocation: RevocationService,
  ) {}

  async verifyHello(frame: RelayCommandOf<'hello'>, challenge: Uint8Array): Promise<DeviceAttestation> {
    let attestation: DeviceAttestation;
    try {
      attestation = await verifyAttestation(frame.attestation, { trusted: trustedOrgKeys(this.runtime.config), now: Math.floor(this.runtime.clock() / 1000) });
    } catch (error) {
      if (error instanceof ProtocolError) throw new RelayRefusal(ATTESTATION_ERRORS[error.code] ?? 'attestation_malformed', error.message);
      throw error;
    }
    if (this.revocation.isRevoked(attestation.deviceId)) throw new RelayRefusal('device_revoked', 'this device has been revoked');
    if (!(await verifyHelloSignature(attestation, challenge, frame.signature))) {
      throw new RelayRefusal('challenge_signature_invalid', 'the signature over the challenge does not verify under the attested key');
    }
    return attestation;
  }
}
