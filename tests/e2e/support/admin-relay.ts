/**
 * A device's connection to the relay (docs/protocol/relay.md §3.1-§3.2, §4.3): challenge, hello
 * with its attestation, then whatever notices the relay sends before closing.
 */
import { decodeChallenge, decodeRelayReply, encodeHello, type RelayReply } from '@opendescent/protocol';
import { io, type Socket } from 'socket.io-client';
import type { AdminApiDevice } from './admin-device';

export class RelayConnection {
  readonly notices: { error: string; at: number }[] = [];
  disconnectedAt: number | undefined;

  private constructor(
    readonly socket: Socket,
    readonly challenge: Uint8Array,
  ) {
    socket.on('notice', (frame: ArrayBuffer) => {
      const notice = decodeRelayReply(frame);
      if (!notice.ok) this.notices.push({ error: notice.error, at: Date.now() });
    });
    socket.on('disconnect', () => {
      this.disconnectedAt ??= Date.now();
    });
  }

  static async open(relayUrl: string): Promise<RelayConnection> {
    const socket = io(relayUrl, { transports: ['websocket'], reconnection: false, forceNew: true });
    const frame = await new Promise<ArrayBuffer>((resolve, reject) => {
      socket.once('challenge', resolve);
      socket.once('connect_error', reject);
    });
    return new RelayConnection(socket, decodeChallenge(frame).challenge);
  }

  async hello(device: AdminApiDevice): Promise<RelayReply> {
    if (!device.attestation) throw new Error('enrol first');
    const frame = await encodeHello({ requestId: 1, attestation: device.attestation }, this.challenge, device.signing.privateKey);
    return decodeRelayReply(await this.socket.timeout(5_000).emitWithAck('hello', frame));
  }

  /** Resolves once the relay has both sent `device_revoked` and closed the connection. */
  async cutOff(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const notice = this.notices.find((n) => n.error === 'device_revoked');
      if (notice && this.disconnectedAt !== undefined) return Math.max(notice.at, this.disconnectedAt);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`not cut off within ${timeoutMs} ms (notices: ${JSON.stringify(this.notices)}, disconnected: ${this.disconnectedAt !== undefined})`);
  }

  close(): void {
    this.socket.close();
  }
}
