import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
import * as parser from 'socket.io-parser';
import type { RelayConfig } from '../config/relay-config';
import type { RelayRuntime } from '../runtime/relay-runtime';

/**
 * socket.io's decoder, refusing a second binary attachment (relay.md §2): every relay event
 * carries one frame, and the default (10) would let one event buffer ten frames' worth of bytes
 * before the relay sees it. A refused packet closes the connection.
 */
class OneAttachmentDecoder extends parser.Decoder {
  constructor() {
    super({ maxAttachments: 1 });
  }
}

const relayParser = { ...parser, Decoder: OneAttachmentDecoder };

/**
 * Applies the relay's limits to socket.io: the frame-size ceiling is enforced by the transport
 * before any event is parsed, and only the configured web origins may connect from a browser.
 * With the Redis store, socket.io's Redis adapter carries the signed documents between nodes
 * (revocation lists and token key sets, relay.md §7, §3.2); live pushes travel on a channel of
 * their own (live-bus.ts), so each node keeps them in queue order (relay.md §5.4).
 */
export class RelayIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: RelayConfig,
    private readonly pubSub?: RelayRuntime['pubSub'],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const limited: Partial<ServerOptions> = {
      ...options,
      maxHttpBufferSize: this.config.RELAY_MAX_FRAME_BYTES,
      cors: { origin: this.config.RELAY_ALLOWED_ORIGINS, methods: ['GET', 'POST'] },
      serveClient: false,
      // WebSocket only (relay.md §2): no HTTP long-polling, whose requests a load balancer would
      // have to send to one node each (sticky sessions). Any node takes any connection.
      transports: ['websocket'],
      parser: relayParser,
      // A transport that never sends socket.io's CONNECT packet never reaches the gateway's hello
      // timer: socket.io drops it after connectTimeout (45 s by default). Same bound as hello.
      connectTimeout: this.config.RELAY_HELLO_TIMEOUT_SECONDS * 1000,
    };
    const server = super.createIOServer(port, limited as ServerOptions) as Server;
    // relay.md §9: once a transport is open, nothing of its HTTP request is needed, and its
    // headers are what could name a person (a cookie of another app on the same host name, a
    // user agent, a language, a forwarded address). engine.io keeps the request for the
    // connection's life (socket.io's handshake.headers is the same object): empty it at once.
    server.engine.on('connection', (transport: { request: { headers: Record<string, unknown> } }) => {
      for (const name of Object.keys(transport.request.headers)) delete transport.request.headers[name];
    });
    if (this.pubSub)
      server.adapter(
        createAdapter(this.pubSub.pub, this.pubSub.sub, { key: `${this.config.RELAY_REDIS_PREFIX}socket.io` }),
      );
    return server;
  }
}
