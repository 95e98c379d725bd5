/**
 * Admits the bench's uploads on the running relay (relay.md §3.15, attachments.md §4.1) from Node:
 * a device of the bench's own, enrolled through the admin app's API as the e2e tests enrol one
 * (tests/e2e/support/admin-device.ts), redeems an access token on a relay-client connection and
 * asks attach_create for each upload. Only the capabilities go to the browser's worker; the
 * admission is not part of what is timed there.
 */
import { attachmentCiphertextLength } from '@opendescent/crypto';
import { RelayConnection, attachCreate } from '@opendescent/relay-client';
import { AdminApiDevice } from '../../../tests/e2e/support/admin-device';

export interface Admitted {
  /** Hex, as the worker's hooks take them. */
  readonly uploadId: string;
  readonly attachmentId: string;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export class RelayAdmission {
  #connection: RelayConnection | undefined;

  private constructor(
    private readonly device: AdminApiDevice,
    private readonly adminUrl: string,
    private readonly relayUrl: string,
  ) {}

  /** Enrols a device with `enrolmentCode` (made by the administrator for the bench's address). */
  static async enrol(adminUrl: string, relayUrl: string, enrolmentCode: string): Promise<RelayAdmission> {
    const device = await AdminApiDevice.create();
    const enrolled = await device.enrol(adminUrl, enrolmentCode);
    if (enrolled.status !== 201) throw new Error(`bench device enrolment: HTTP ${enrolled.status}`);
    return new RelayAdmission(device, adminUrl, relayUrl);
  }

  async #connect(): Promise<RelayConnection> {
    const issued = await this.device.accessToken(this.adminUrl, this.relayUrl);
    if (!issued.token) throw new Error(`bench device token: HTTP ${issued.status} ${JSON.stringify(issued.json)}`);
    const connection = await RelayConnection.open(this.relayUrl, { requestTimeoutMs: 30_000 });
    await connection.hello(issued.token);
    return connection;
  }

  /** An upload of a file of `size` bytes, fetched once; a dropped connection is opened again once. */
  async admit(size: number): Promise<Admitted> {
    const request = { length: attachmentCiphertextLength(size), fetches: 1 };
    for (let attempt = 0; ; attempt++) {
      try {
        this.#connection ??= await this.#connect();
        const admitted = await attachCreate(this.#connection, request);
        return { uploadId: hex(admitted.uploadId), attachmentId: hex(admitted.attachmentId) };
      } catch (error) {
        this.close();
        if (attempt > 0) throw error;
      }
    }
  }

  close(): void {
    this.#connection?.close();
    this.#connection = undefined;
  }
}
