import { SIGNATURE_LENGTH } from './attestation';
import type { ByteReader, ByteWriter, Ed25519PrivateKey } from '@opendescent/crypto';
import { expectBytesInput, protocolReader, protocolWriter } from './wire-bytes';
import { ProtocolError } from './errors';
import { ORG_ID_LENGTH, ORG_KEY_ID_LENGTH, signWithOrgKey } from './org-key';

/**
 * The frame every signed organisation list shares (attestations.md §1): `version ‖ type ‖ org id ‖
 * org key id ‖ … ‖ signature`, the signature by the organisation key over everything before it
 * under a label of its own. The revocation list and the token key set are read and signed here;
 * each reads its own fields in between.
 */
export interface OrgDocumentFormat {
  /** For errors: "revocation list", "token key set". */
  readonly what: string;
  readonly version: number;
  readonly type: number;
  readonly maxBytes: number;
  readonly label: string;
}

export interface OrgDocumentReader {
  readonly reader: ByteReader;
  readonly orgId: Uint8Array;
  readonly orgKeyId: Uint8Array;
  /** After the document's own fields: the signed body and the signature; refuses trailing bytes. */
  finish(): { body: Uint8Array; signature: Uint8Array };
}

export function openOrgDocument(input: unknown, format: OrgDocumentFormat): OrgDocumentReader {
  const { what } = format;
  const bytes = expectBytesInput(input, what, format.maxBytes);
  const reader = protocolReader(bytes, what);
  const version = reader.u8('version');
  if (version < format.version)
    throw new ProtocolError('version_too_old', `${what}: version ${version} is no longer accepted`);
  if (version > format.version)
    throw new ProtocolError('version_unknown', `${what}: version ${version} is newer than this code knows`);
  if (reader.u8('type') !== format.type) throw new ProtocolError('malformed', `${what}: not a ${what} (type byte)`);
  const orgId = reader.raw(ORG_ID_LENGTH, 'orgId');
  const orgKeyId = reader.raw(ORG_KEY_ID_LENGTH, 'orgKeyId');
  return {
    reader,
    orgId,
    orgKeyId,
    finish: () => {
      const bodyLength = reader.offset;
      const signature = reader.raw(SIGNATURE_LENGTH, 'signature');
      reader.end();
      return { body: bytes.slice(0, bodyLength), signature };
    },
  };
}

/**
 * The org key id an organisation document names as its signer, read from the shared frame without
 * decoding the rest (attestations, lists, key sets, statements and tree heads alike): lets a
 * verifier see that it must follow a rotation before verifying. Undefined when too short.
 */
export function orgDocumentSignerId(bytes: Uint8Array): Uint8Array | undefined {
  const start = 2 + ORG_ID_LENGTH;
  return bytes.length < start + ORG_KEY_ID_LENGTH ? undefined : bytes.subarray(start, start + ORG_KEY_ID_LENGTH);
}

/** Starts a document's body: version, type, org id, org key id. */
export function orgDocumentWriter(format: OrgDocumentFormat, orgId: Uint8Array, orgKeyId: Uint8Array): ByteWriter {
  return protocolWriter().u8(format.version).u8(format.type).raw(orgId, ORG_ID_LENGTH).raw(orgKeyId, ORG_KEY_ID_LENGTH);
}

/** The body followed by the organisation's signature over it. */
export async function signOrgDocument(
  format: OrgDocumentFormat,
  body: Uint8Array,
  orgKey: Ed25519PrivateKey,
): Promise<Uint8Array> {
  return protocolWriter()
    .raw(body)
    .raw(await signWithOrgKey(format.label, body, orgKey), SIGNATURE_LENGTH)
    .finish();
}
