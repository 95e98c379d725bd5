/**
 * A stand-in for the relay's attachment HTTP interface (docs/protocol/attachments.md §4.2-§4.4),
 * small enough to read, with faults on demand: a request dropped after some bytes, a run of 503s.
 * The real relay is tested against the same contract in apps/relay/test/e2e; this one lets the
 * client's resume and retry logic be driven exactly.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Faults {
  /** The next PATCH bodies: keep this many bytes, then destroy the connection. */
  patchDropsAfter: number[];
  /** The next GETs: send this many bytes, then destroy the connection. */
  getDropsAfter: number[];
  /** Answer this many next requests with 503. */
  unavailable: number;
}

export class TusRelay {
  readonly faults: Faults = { patchDropsAfter: [], getDropsAfter: [], unavailable: 0 };
  readonly requests: string[] = [];
  readonly fetchedNonces = new Set<string>();
  url = '';
  #data = new Uint8Array(0);
  #offset = 0;
  #server: Server | undefined;

  constructor(
    readonly uploadIdHex: string,
    readonly attachmentIdHex: string,
    readonly length: number,
  ) {
    this.#data = new Uint8Array(length);
  }

  get stored(): Uint8Array {
    return this.#data.slice(0, this.#offset);
  }

  get offset(): number {
    return this.#offset;
  }

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests.push(`${req.method} ${req.url}`);
    if (this.faults.unavailable > 0) {
      this.faults.unavailable -= 1;
      req.resume();
      return void res.writeHead(503).end();
    }
    const upload = req.headers['od-upload-id'] === this.uploadIdHex;
    const file = req.headers['od-attachment-id'] === this.attachmentIdHex;
    if (req.method === 'HEAD' && req.url === '/v1/attachments/upload' && upload)
      return void res
        .writeHead(200, {
          'upload-offset': String(this.#offset),
          'upload-length': String(this.length),
          'upload-expires': '1900000000',
        })
        .end();
    if (req.method === 'PATCH' && req.url === '/v1/attachments/upload' && upload) return this.#patch(req, res);
    if (req.method === 'GET' && req.url === '/v1/attachments/file' && file) return this.#get(req, res);
    if (req.method === 'POST' && req.url === '/v1/attachments/fetched' && file) {
      this.fetchedNonces.add(String(req.headers['od-fetch-nonce']));
      return void res.writeHead(204).end();
    }
    req.resume();
    res.writeHead(404).end();
  }

  async #patch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (Number(req.headers['upload-offset']) !== this.#offset) {
      req.resume();
      return void res.writeHead(409, { 'upload-offset': String(this.#offset) }).end();
    }
    const dropAfter = this.faults.patchDropsAfter.shift();
    let kept = 0;
    for await (const piece of req as AsyncIterable<Buffer>) {
      const room = Math.min(piece.length, this.length - this.#offset, (dropAfter ?? Infinity) - kept);
      this.#data.set(piece.subarray(0, room), this.#offset);
      this.#offset += room;
      kept += room;
      if (dropAfter !== undefined && kept >= dropAfter) return void req.socket.destroy();
      if (room < piece.length) return void res.writeHead(413).end();
    }
    res.writeHead(204, { 'upload-offset': String(this.#offset) }).end();
  }

  #get(req: IncomingMessage, res: ServerResponse): void {
    if (this.#offset < this.length) return void res.writeHead(404).end();
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    const start = range ? Number(range[1]) : 0;
    const body = this.#data.subarray(start);
    res.writeHead(range ? 206 : 200, { 'content-length': String(body.length) });
    const dropAfter = this.faults.getDropsAfter.shift();
    if (dropAfter === undefined) return void res.end(body);
    res.write(body.subarray(0, dropAfter), () => setTimeout(() => res.destroy(), 20));
  }
}
