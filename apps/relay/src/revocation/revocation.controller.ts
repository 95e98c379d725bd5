import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, HttpCode, HttpException, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { MAX_REVOCATION_LIST_BYTES } from '@opendescent/protocol';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RevocationService } from './revocation.service';

/** relay.md §7: the list over HTTP, for lists too large for a socket frame and for clients. */
@Controller('revocation-list')
export class RevocationController {
  constructor(private readonly revocation: RevocationService) {}

  @Get()
  current(@Res() response: ServerResponse): void {
    const bytes = this.revocation.currentBytes();
    response.setHeader('Cache-Control', 'no-store');
    if (bytes === undefined) {
      response.statusCode = 404;
      response.end();
      return;
    }
    response.setHeader('Content-Type', 'application/octet-stream');
    response.end(Buffer.from(bytes));
  }

  /** Self-authenticating: the organisation's signature is the authorisation. */
  @Post()
  @HttpCode(200)
  async push(@Req() request: IncomingMessage): Promise<{ listVersion: number }> {
    if (!(request.headers['content-type'] ?? '').startsWith('application/octet-stream')) {
      throw new HttpException({ error: 'malformed' }, HttpStatus.UNSUPPORTED_MEDIA_TYPE);
    }
    const body = await readBody(request, MAX_REVOCATION_LIST_BYTES);
    try {
      return { listVersion: await this.revocation.accept(body, 'http') };
    } catch (error) {
      if (error instanceof RelayRefusal) throw new HttpException({ error: error.error }, HttpStatus.BAD_REQUEST);
      throw error;
    }
  }
}

async function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpException({ error: 'oversized' }, HttpStatus.PAYLOAD_TOO_LARGE);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new HttpException({ error: 'oversized' }, HttpStatus.PAYLOAD_TOO_LARGE);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
