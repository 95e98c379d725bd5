/** The transparency log's leaf (docs/protocol/transparency-log.md §4.1). */
import { merkleLeafHash, sha256 } from '@opendescent/crypto';
import { LOG_LEAF_BYTES, LOG_LEAF_KINDS, logLeaf, logLeafHash, type LogLeafKind } from '../../src/index';
import { hex, labelled, protocolCode } from '../support';

const document = labelled('a signed attestation', 32);

describe('log leaf', () => {
  it('is version, kind and the SHA-256 of the document: nothing of the document itself', () => {
    const leaf = logLeaf('attestation', document);
    expect(leaf.length).toBe(LOG_LEAF_BYTES);
    expect(hex(leaf)).toBe(`0101${hex(sha256(document))}`);
    expect(hex(logLeaf('device_certificate', document)).slice(0, 4)).toBe('0104');
    expect(hex(logLeafHash('attestation', document))).toBe(hex(merkleLeafHash(leaf)));
  });

  it('commits to the kind: one document under two kinds gives two leaves', () => {
    const hashes = new Set(LOG_LEAF_KINDS.map((kind) => hex(logLeafHash(kind, document))));
    expect(hashes.size).toBe(LOG_LEAF_KINDS.length);
  });

  it('refuses an unknown kind and an empty document (malformed)', () => {
    expect(protocolCode(() => logLeaf('token_key_set' as LogLeafKind, document))).toBe('malformed');
    expect(protocolCode(() => logLeaf('attestation', new Uint8Array(0)))).toBe('malformed');
  });
});
