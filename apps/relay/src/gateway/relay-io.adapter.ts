import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import type { RelayConfig } from '../config/relay-config';

/**
 * Applies the relay's limits to socket.io: the frame-size ceiling is enforced by the transport
 * before any event is parsed, and only the configured web origins may connect from a browser.
 * Scaling out replaces this adapter (the Redis adapter comes with the Redis store).
 */
export class RelayIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: RelayConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const limited: Partial<ServerOptions> = {
      ...options,
      maxHttpBufferSize: this.config.RELAY_MAX_FRAME_BYTES,
      cors: { origin: this.config.RELAY_ALLOWED_ORIGINS, methods: ['GET', 'POST'] },
      serveClient: false,
    };
    return super.createIOServer(port, limited as ServerOptions);
  }
}
