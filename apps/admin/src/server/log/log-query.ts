// The query parameters of the log's endpoints (docs/protocol/transparency-log.md §5), read strictly:
// one value has one spelling, and anything else is `400 malformed` before the database is asked.
import { MERKLE_HASH_LENGTH } from '@opendescent/crypto';
import { decodeBase64Url } from '@opendescent/protocol';
import { ApiError } from '../http/api-error';

export function logPosition(url: URL, name: string): number {
  const text = url.searchParams.get(name) ?? '';
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new ApiError(400, 'malformed', `\`${name}\` must be a whole number`);
  return Number(text);
}

export function leafHashParameter(url: URL): Uint8Array {
  let hash: Uint8Array;
  try {
    hash = decodeBase64Url(url.searchParams.get('leafHash') ?? '');
  } catch {
    throw new ApiError(400, 'malformed', '`leafHash` must be unpadded base64url');
  }
  if (hash.length !== MERKLE_HASH_LENGTH)
    throw new ApiError(400, 'malformed', `\`leafHash\` must be ${MERKLE_HASH_LENGTH} bytes`);
  return hash;
}
