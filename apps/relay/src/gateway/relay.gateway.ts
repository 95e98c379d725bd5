import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';

/** Bytes in the fresh challenge a device signs to prove it holds its attested key (flow 2). */
export const CHALLENGE_BYTES = 32;

/**
 * The socket.io face of the relay. Thin by design: it parses, authorises and delegates.
 * Every connection gets a fresh random challenge at once; signing it with the device key named
 * in its attestation is how a device will open a session (docs/protocol/relay.md).
 */
@WebSocketGateway()
export class RelayGateway implements OnGatewayConnection {
  private readonly logger = new Logger(RelayGateway.name);

  handleConnection(socket: Socket): void {
    const challenge = randomBytes(CHALLENGE_BYTES);
    socket.data.challenge = challenge;
    socket.emit('challenge', new Uint8Array(challenge));
    // Neither the socket id nor the address is logged: they would link a device to its queues.
    this.logger.debug('connection opened');
  }
}
