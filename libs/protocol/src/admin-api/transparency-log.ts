/** The transparency log's endpoints (docs/protocol/transparency-log.md §5), public like `GET /api/v1/org`. */
import { MAX_MERKLE_PROOF_LENGTH, MERKLE_HASH_LENGTH } from '@opendescent/crypto';
import { z } from 'zod';
import { TREE_HEAD_BYTES } from '../transparency/tree-head';
import { base64UrlField } from './json-fields';

/** Tree sizes and indices: JavaScript safe integers, as in the signed tree head (§2). */
const logPosition = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const proofField = z.array(base64UrlField(MERKLE_HASH_LENGTH)).max(MAX_MERKLE_PROOF_LENGTH);

/** `GET /api/v1/log/head`: the newest signed tree head. */
export const logHeadAnswerSchema = z.strictObject({ treeHead: base64UrlField(TREE_HEAD_BYTES) });

/** `GET /api/v1/log/inclusion?leafHash=…&treeSize=…`: where a leaf is, and the path to the root of that size. */
export const logInclusionAnswerSchema = z.strictObject({
  leafIndex: logPosition,
  treeSize: logPosition,
  proof: proofField,
});

/** `GET /api/v1/log/consistency?from=…&to=…`: that the log of size `to` extends the log of size `from`. */
export const logConsistencyAnswerSchema = z.strictObject({
  from: logPosition,
  to: logPosition,
  proof: proofField,
});

export type LogHeadAnswerJson = z.input<typeof logHeadAnswerSchema>;
export type LogInclusionAnswerJson = z.input<typeof logInclusionAnswerSchema>;
export type LogConsistencyAnswerJson = z.input<typeof logConsistencyAnswerSchema>;
