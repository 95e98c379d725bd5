import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { MAX_REVOCATION_LIST_BYTES } from '@opendescent/protocol';
import { receiveDocument, sendDocument } from '../documents/document-http';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RevocationService } from './revocation.service';

/** relay.md §7: the list over HTTP, for lists too large for a socket frame, for clients, and for the admin app's pushes. */
@Controller('revocation-list')
export class RevocationController {
  constructor(private readonly revocation: RevocationService) {}

  @Get()
  current(@Res() response: ServerResponse): void {
    sendDocument(response, this.revocation.currentBytes());
  }

  @Post()
  @HttpCode(200)
  async push(@Req() request: IncomingMessage): Promise<{ listVersion: number }> {
    const listVersion = await receiveDocument(
      request,
      MAX_REVOCATION_LIST_BYTES,
      (body) => this.revocation.accept(body, 'http'),
      (error) => (error instanceof RelayRefusal ? error.error : undefined),
    );
    return { listVersion };
  }
}
