/**
 * Blind issuance of anonymous relay access tokens: `POST /api/v1/tokens` (docs/protocol/
 * admin-api.md §11.2, access-tokens.md §5): 1 to 20 blinded TokenRequests for one issuer key in,
 * one blind signature per request, in request order, out.
 */
import { z } from 'zod';
import { MAX_TOKENS_PER_REQUEST, TOKEN_REQUEST_LENGTH, TOKEN_RESPONSE_LENGTH } from '../access-tokens/access-token';
import { TOKEN_KEY_ID_LENGTH } from '../access-tokens/token-key-set';
import { DEVICE_ID_LENGTH } from '../attestation';
import { ORG_ID_LENGTH } from '../org-key';
import { base64UrlField } from './json-fields';
import { deviceRequestFields } from './signed-request';

/** §11.2. */
export const tokensPayloadSchema = z.strictObject({
  ...deviceRequestFields,
  type: z.literal('tokens'),
  orgId: base64UrlField(ORG_ID_LENGTH),
  deviceId: base64UrlField(DEVICE_ID_LENGTH),
  tokenKeyId: base64UrlField(TOKEN_KEY_ID_LENGTH),
  requests: z.array(base64UrlField(TOKEN_REQUEST_LENGTH)).min(1).max(MAX_TOKENS_PER_REQUEST),
});

/** §11.2's success answer. The client also checks it names its key and has one response per request. */
export const tokensAnswerSchema = z.strictObject({
  tokenKeyId: base64UrlField(TOKEN_KEY_ID_LENGTH),
  responses: z.array(base64UrlField(TOKEN_RESPONSE_LENGTH)).min(1).max(MAX_TOKENS_PER_REQUEST),
});

export type TokensPayloadJson = z.input<typeof tokensPayloadSchema>;
export type TokensAnswerJson = z.input<typeof tokensAnswerSchema>;
export type TokensAnswer = z.output<typeof tokensAnswerSchema>;
