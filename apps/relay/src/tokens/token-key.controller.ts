import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { MAX_TOKEN_KEY_SET_BYTES } from '@opendescent/protocol';
import { receiveDocument, sendDocument } from '../documents/document-http';
import { DocumentRefusal } from '../documents/signed-document-holder';
import { TokenKeyService } from './token-key.service';

/** relay.md §7, access-tokens.md §3: the token key set over HTTP; the admin app pushes each new one here. */
@Controller('token-keys')
export class TokenKeyController {
  constructor(private readonly tokenKeys: TokenKeyService) {}

  @Get()
  current(@Res() response: ServerResponse): void {
    sendDocument(response, this.tokenKeys.currentBytes());
  }

  @Post()
  @HttpCode(200)
  async push(@Req() request: IncomingMessage): Promise<{ setVersion: number }> {
    const setVersion = await receiveDocument(
      request,
      MAX_TOKEN_KEY_SET_BYTES,
      (body) => this.tokenKeys.accept(body, 'http'),
      (error) => (error instanceof DocumentRefusal ? `token_key_set_${error.reason}` : undefined),
    );
    return { setVersion };
  }
}
