import { constantTimeEqual, ed25519KeyPairFromSeed } from '@opendescent/crypto';
import {
  MAX_LINKED_DEVICE_CERTIFICATES,
  ProtocolError,
  decodeAttestation,
  decodeDeviceLinkOffer,
  deviceLinkCode,
  encodeDeviceLinkOffer,
  makeDeviceLinkOffer,
  offerMatchesAttestation,
  openDeviceLinkTransfer,
  parseDeviceLinkCode,
  sealDeviceLinkTransfer,
  signDeviceCertificate,
  type DeviceAttestation,
  type DeviceLinkOffer,
  type OpenedDeviceLinkTransfer,
  type ReceivedDeviceLinkOffer,
} from '@opendescent/protocol';
import type { DeviceLinkCandidateView, DeviceLinkOfferView } from './api';
import type { Contacts } from './contacts';
import type { MessengerContext } from './context';
import { fromB64, toB64, toHex } from './encoding';
import { MessengerError } from './errors';
import type { Peers } from './peers';
import { TABLES, type ContactRecord, type SelfRecord } from './records';
import type { Transaction } from './transaction';

/** user-keys.md §3.1: an offer lives 10 minutes at most, and 100 failed transfers drop it (§3.4). */
export const LINK_OFFER_LIFETIME_MS = 10 * 60_000;
export const MAX_FAILED_TRANSFERS = 100;
/** What the QR code of an offer encodes: this prefix, then the offer's bytes in base64url. */
export const LINK_QR_PREFIX = 'opendescent:link?v=1&o=';

interface ShownOffer {
  readonly offer: DeviceLinkOffer;
  readonly expiresAt: number;
  failures: number;
}

/** A device of this person that a received offer names, verified. */
interface Candidate {
  readonly attestation: DeviceAttestation;
}

/**
 * The device link (user-keys.md §3.3) on both sides. On a new device: the offer it shows, kept in
 * memory only, and the transfer that brings it the user key. On an approved device: finding the
 * device an offer names among the person's own, then certifying it, publishing the certificate
 * and sending it the sealed transfer over a pairwise session (messages.md §3), like any message.
 */
export class DeviceLink {
  private shown: ShownOffer | undefined;

  constructor(
    private readonly ctx: MessengerContext,
    private readonly contacts: Contacts,
    private readonly peers: Peers,
    private readonly afterApproval: (tx: Transaction, address: string, deviceId: string) => Promise<void>,
    private readonly afterLinked: () => void,
  ) {}

  // ---- the new device ----------------------------------------------------------------------

  async start(): Promise<DeviceLinkOfferView> {
    const self = this.ctx.requireSelf();
    if (self.userKey) throw new MessengerError('already_approved', 'this device already holds your user key');
    this.cancel();
    const offer = makeDeviceLinkOffer(decodeAttestation(self.attestation).attestation);
    const expiresAt = this.ctx.now() + LINK_OFFER_LIFETIME_MS;
    this.shown = { offer, expiresAt, failures: 0 };
    const qrPayload = `${LINK_QR_PREFIX}${toB64(encodeDeviceLinkOffer(offer))}`;
    const { toString: qrToString } = await import('qrcode');
    return {
      code: deviceLinkCode(offer),
      qrPayload,
      qrSvg: await qrToString(qrPayload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
      expiresAt,
    };
  }

  /** Drops the offer and wipes its link secret. */
  cancel(): void {
    this.shown?.offer.linkSecret.wipe();
    this.shown = undefined;
  }

  /**
   * A transfer from one of this person's devices (inside `exclusive`). Opened only with the offer
   * shown now; anything that does not open is counted and dropped, never an error for the sender.
   */
  async receive(tx: Transaction, transfer: Uint8Array): Promise<void> {
    const shown = this.shown;
    const self = tx.get<SelfRecord>(TABLES.self, 'device');
    if (!shown || !self || self.userKey) return;
    if (this.ctx.now() >= shown.expiresAt) return this.cancel();
    let opened: OpenedDeviceLinkTransfer;
    try {
      opened = await openDeviceLinkTransfer(
        {
          offer: shown.offer,
          agreementPrivateKey: this.ctx.requireIdentity().agreement.privateKey,
          attestation: decodeAttestation(self.attestation).attestation,
        },
        transfer,
      );
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      if (++shown.failures >= MAX_FAILED_TRANSFERS) this.cancel();
      return;
    }
    tx.put(TABLES.self, 'device', {
      ...self,
      userKey: opened.userKey.privateKey.exposeBytes().slice(),
      certificate: opened.certificateBytes,
      // The approving device published it (§3.3 step 8).
      certificatePublished: true,
      awaitingLink: false,
    } satisfies SelfRecord);
    opened.userKey.privateKey.wipe();
    this.cancel();
    // The person's other devices as the transfer lists them (step 9): judged under the key received,
    // not on the directory's word.
    const own = tx.get<ContactRecord>(TABLES.contacts, self.address);
    if (own) {
      const devices = { ...own.devices };
      for (const { certificate, bytes } of opened.deviceCertificates) {
        const id = toHex(certificate.deviceId);
        const known = devices[id];
        if (known) devices[id] = { ...known, certificate: bytes };
      }
      tx.put(TABLES.contacts, self.address, { ...own, devices });
    }
    await this.contacts.rejudge(tx, self.address);
    tx.after(this.afterLinked);
  }

  // ---- the approving device ----------------------------------------------------------------

  /** Which device of this person the code names (steps 3-4); network calls only, nothing stored. */
  async check(codeOrQr: string): Promise<DeviceLinkCandidateView> {
    const received = this.read(codeOrQr);
    try {
      const { attestation } = await this.find(received);
      return {
        deviceId: toHex(attestation.deviceId),
        attestedAt: attestation.issuedAt * 1000,
        displayName: attestation.displayName,
      };
    } finally {
      received.linkSecret.wipe();
    }
  }

  /** Steps 6-8: certify the device, publish the certificate, send it the user key. */
  async approve(codeOrQr: string): Promise<void> {
    const received = this.read(codeOrQr);
    try {
      const { attestation } = await this.find(received);
      const self = this.ctx.requireSelf();
      const userKey = await ed25519KeyPairFromSeed(self.userKey as Uint8Array);
      try {
        const certificate = await signDeviceCertificate(
          {
            // The organisation and address are this device's own, never the attestation's (§2.4).
            orgId: self.orgId,
            userAddress: self.address,
            deviceId: attestation.deviceId,
            signingKey: attestation.signingKey,
            agreementKey: attestation.agreementKey,
            issuedAt: this.ctx.nowSeconds(),
          },
          userKey.privateKey,
        );
        const transfer = await sealDeviceLinkTransfer({
          offer: received,
          attestation,
          certificate,
          userPrivateKey: userKey.privateKey,
          deviceCertificates: this.siblingCertificates(self, toHex(attestation.deviceId)),
        });
        await this.ctx.env.admin.certify({
          orgId: self.orgId,
          deviceId: self.deviceId,
          identity: this.ctx.requireIdentity(),
          certificate,
        });
        await this.contacts.fetch(self.address);
        await this.deliver(self.address, toHex(attestation.deviceId), certificate, transfer);
      } finally {
        userKey.privateKey.wipe();
      }
    } finally {
      received.linkSecret.wipe();
    }
  }

  private async deliver(address: string, deviceId: string, certificate: Uint8Array, transfer: Uint8Array) {
    await this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      await this.contacts.lookUp(tx, address, true);
      // Judged with the certificate this device just made, whatever the directory served.
      await this.contacts.noteCertificate(tx, address, deviceId, certificate);
      const device = tx.get<ContactRecord>(TABLES.contacts, address)?.devices[deviceId];
      if (!device?.approved) throw new MessengerError('internal', 'the approved device is not in the directory');
      await this.peers.ensure(tx, address, device);
      await this.peers.send(tx, device, { t: 'link', transfer: toB64(transfer) });
      await this.afterApproval(tx, address, deviceId);
      await this.ctx.commit(tx);
    });
  }

  /** This device's certificate and its approved siblings' (not the new device's), at most 32. */
  private siblingCertificates(self: SelfRecord, newDeviceId: string): Uint8Array[] {
    const own = this.ctx.tx().get<ContactRecord>(TABLES.contacts, self.address);
    const siblings = Object.values(own?.devices ?? {})
      .filter((d) => d.approved && d.certificate && d.deviceId !== newDeviceId)
      .map((d) => d.certificate as Uint8Array);
    return [self.certificate as Uint8Array, ...siblings].slice(0, MAX_LINKED_DEVICE_CERTIFICATES);
  }

  /** A scanned QR payload or a typed code; `link_invalid` when neither reads. */
  private read(codeOrQr: string): ReceivedDeviceLinkOffer {
    const self = this.ctx.requireSelf();
    if (!self.userKey) throw new MessengerError('not_approved', 'this device does not hold your user key yet');
    const text = codeOrQr.trim();
    try {
      if (text.startsWith(LINK_QR_PREFIX)) {
        const offer = decodeDeviceLinkOffer(fromB64(text.slice(LINK_QR_PREFIX.length)));
        if (!constantTimeEqual(offer.orgId, self.orgId))
          throw new MessengerError('link_no_match', 'the QR code is of another organisation');
        return offer;
      }
      return parseDeviceLinkCode(text);
    } catch (error) {
      if (error instanceof ProtocolError)
        throw new MessengerError('link_invalid', `not a device-link code (${error.code})`);
      throw error;
    }
  }

  /**
   * The person's own devices in a fresh directory answer whose verified attestation the offer
   * names (constant-time commitment comparison, offerMatchesAttestation). None: `link_no_match`.
   */
  private async find(received: ReceivedDeviceLinkOffer): Promise<Candidate> {
    for (const { entry, attestation } of await this.contacts.ownSiblings()) {
      if (received.form === 'offer' && !constantTimeEqual(entry.deviceId, received.deviceId)) continue;
      if (offerMatchesAttestation(received, attestation)) return { attestation };
    }
    throw new MessengerError(
      'link_no_match',
      'the code matches none of your devices waiting for approval: mistyped, expired, or not yours',
    );
  }
}
