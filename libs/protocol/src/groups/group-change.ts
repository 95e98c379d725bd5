import { ed25519Sign, ed25519Verify, sha256, type Ed25519PrivateKey } from '@opendescent/crypto';
import { DEVICE_ID_LENGTH, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from '../attestation';
import { ProtocolError } from '../errors';
import { MAX_ADDRESS_BYTES } from '../identifiers';
import { domainSeparated } from '../signing-input';
import { openUserKeyFrame, userKeyFrameWriter, type UserKeyFormat } from '../user-keys/frame';
import { protocolWriter } from '../wire-bytes';
import type { ByteReader, ByteWriter } from '@opendescent/crypto';
import {
  checkGroupAddress,
  checkGroupRole,
  checkGroupSettings,
  checkGroupTitle,
  GROUP_ID_LENGTH,
  GROUP_STATE_HASH_LENGTH,
  MAX_GROUP_EPOCH,
  MAX_GROUP_TITLE_BYTES,
  readGroupAddress,
  readGroupRole,
  readGroupSettings,
  readGroupTitle,
  writeGroupAddress,
  writeGroupRole,
  writeGroupSettings,
  writeGroupTitle,
  type GroupRole,
  type GroupSettings,
} from './group-state';

/**
 * A group change (docs/protocol/groups.md §3): signed by the member device that makes it, it names
 * the hash of the state it applies to and lists operations, never a description: what a member
 * shows is computed from the state before and after (group-diff.ts), so a sender cannot claim
 * one change and make another.
 */
export const GROUP_CHANGE_VERSION = 1;
/** Distinct from the organisation documents and messages (0x01-0x08) and the user-key formats (0x10-0x13). */
export const GROUP_CHANGE_TYPE = 0x20;
export const GROUP_CHANGE_SIGNATURE_LABEL = 'OpenDescent group change v1';
export const MAX_GROUP_CHANGE_OPS = 64;

export const GROUP_OP_KINDS = ['create', 'add', 'remove', 'leave', 'role', 'title', 'settings'] as const;
export type GroupOpKind = (typeof GROUP_OP_KINDS)[number];

export type GroupOp =
  | { readonly op: 'create'; readonly title: string; readonly settings: GroupSettings }
  | { readonly op: 'add'; readonly address: string; readonly userKey: Uint8Array; readonly role: GroupRole }
  | { readonly op: 'remove'; readonly address: string }
  | { readonly op: 'leave' }
  | { readonly op: 'role'; readonly address: string; readonly role: GroupRole }
  | { readonly op: 'title'; readonly title: string }
  | { readonly op: 'settings'; readonly settings: GroupSettings };

export interface GroupChangeAuthor {
  readonly address: string;
  readonly deviceId: Uint8Array;
}

export interface GroupChange {
  readonly groupId: Uint8Array;
  /** The parent's epoch plus one; 1 for the creation. */
  readonly epoch: number;
  /** groupStateHash of the parent; 32 zero bytes for the creation. */
  readonly parentHash: Uint8Array;
  readonly author: GroupChangeAuthor;
  /** Unix seconds, shown only: ordering comes from the chain, never from a clock. */
  readonly issuedAt: number;
  readonly ops: readonly GroupOp[];
}

const HEADER_BYTES =
  2 + GROUP_ID_LENGTH + 4 + GROUP_STATE_HASH_LENGTH + 1 + MAX_ADDRESS_BYTES + DEVICE_ID_LENGTH + 4 + 1;
/** The largest op: `create` (tag, title, settings); an `add` of the longest address is 289 bytes. */
const MAX_OP_BYTES = 1 + 2 + MAX_GROUP_TITLE_BYTES + 6;
/** 64 ops of the largest kind: 64 adds of 254-byte addresses fit with room to spare. */
export const MAX_GROUP_CHANGE_BYTES = HEADER_BYTES + MAX_GROUP_CHANGE_OPS * MAX_OP_BYTES + SIGNATURE_LENGTH;

const FORMAT: UserKeyFormat = {
  what: 'group change',
  version: GROUP_CHANGE_VERSION,
  type: GROUP_CHANGE_TYPE,
  maxBytes: MAX_GROUP_CHANGE_BYTES,
};
const ZERO_HASH = new Uint8Array(GROUP_STATE_HASH_LENGTH);

const malformed = (why: string) => new ProtocolError('malformed', `group change: ${why}`);

export function isCreation(change: GroupChange): boolean {
  return change.parentHash.every((byte) => byte === 0);
}

/** Structure only (§3.2): limits, fields, and `create` exactly as the first op of a creation. */
function checkGroupChange(change: GroupChange): void {
  const what = 'group change';
  if (change.groupId.length !== GROUP_ID_LENGTH) throw malformed('groupId must be 16 bytes');
  if (change.parentHash.length !== GROUP_STATE_HASH_LENGTH) throw malformed('parentHash must be 32 bytes');
  if (!Number.isSafeInteger(change.epoch) || change.epoch < 1 || change.epoch > MAX_GROUP_EPOCH)
    throw malformed('epoch must be 1 to 2^32 - 1');
  checkGroupAddress(change.author.address, what);
  if (change.author.deviceId.length !== DEVICE_ID_LENGTH) throw malformed('author deviceId must be 16 bytes');
  if (change.ops.length < 1 || change.ops.length > MAX_GROUP_CHANGE_OPS)
    throw malformed(`must have 1-${MAX_GROUP_CHANGE_OPS} operations`);
  const creation = isCreation(change);
  change.ops.forEach((op, index) => {
    if (op.op === 'create' && (index !== 0 || !creation))
      throw malformed('create is only the first operation of a creation (zero parentHash)');
    if (op.op === 'add' || op.op === 'remove' || op.op === 'role') checkGroupAddress(op.address, what);
    if (op.op === 'add' || op.op === 'role') checkGroupRole(op.role, what);
    if (op.op === 'add' && op.userKey.length !== PUBLIC_KEY_LENGTH) throw malformed('a user key must be 32 bytes');
    if (op.op === 'create' || op.op === 'title') checkGroupTitle(op.title, what);
    if (op.op === 'create' || op.op === 'settings') checkGroupSettings(op.settings, what);
  });
  if (creation && change.ops[0]?.op !== 'create') throw malformed('a creation starts with create');
}

function writeOp(writer: ByteWriter, op: GroupOp): void {
  writer.u8(GROUP_OP_KINDS.indexOf(op.op) + 1);
  switch (op.op) {
    case 'create':
      writeGroupSettings(writeGroupTitle(writer, op.title), op.settings);
      return;
    case 'add':
      writeGroupRole(writeGroupAddress(writer, op.address), op.role).raw(op.userKey, PUBLIC_KEY_LENGTH);
      return;
    case 'remove':
      writeGroupAddress(writer, op.address);
      return;
    case 'leave':
      return;
    case 'role':
      writeGroupRole(writeGroupAddress(writer, op.address), op.role);
      return;
    case 'title':
      writeGroupTitle(writer, op.title);
      return;
    case 'settings':
      writeGroupSettings(writer, op.settings);
      return;
  }
}

function readOp(reader: ByteReader): GroupOp {
  const what = 'group change';
  const kind = GROUP_OP_KINDS[reader.u8('op') - 1];
  switch (kind) {
    case 'create':
      return { op: kind, title: readGroupTitle(reader, what), settings: readGroupSettings(reader, what) };
    case 'add': {
      const address = readGroupAddress(reader, what);
      const role = readGroupRole(reader, what);
      return { op: kind, address, role, userKey: reader.raw(PUBLIC_KEY_LENGTH, 'userKey') };
    }
    case 'remove':
      return { op: kind, address: readGroupAddress(reader, what) };
    case 'leave':
      return { op: kind };
    case 'role':
      return { op: kind, address: readGroupAddress(reader, what), role: readGroupRole(reader, what) };
    case 'title':
      return { op: kind, title: readGroupTitle(reader, what) };
    case 'settings':
      return { op: kind, settings: readGroupSettings(reader, what) };
  }
  throw malformed('unknown operation');
}

function encodeBody(change: GroupChange): Uint8Array {
  const writer = userKeyFrameWriter(FORMAT)
    .raw(change.groupId, GROUP_ID_LENGTH)
    .u32(change.epoch)
    .raw(change.parentHash, GROUP_STATE_HASH_LENGTH);
  writeGroupAddress(writer, change.author.address)
    .raw(change.author.deviceId, DEVICE_ID_LENGTH)
    .u32(change.issuedAt)
    .u8(change.ops.length);
  for (const op of change.ops) writeOp(writer, op);
  return writer.finish();
}

/** Signs a change with the author device's identity signing key (§3.1). */
export async function signGroupChange(change: GroupChange, deviceSigningKey: Ed25519PrivateKey): Promise<Uint8Array> {
  checkGroupChange(change);
  const body = encodeBody(change);
  const signature = await ed25519Sign(deviceSigningKey, domainSeparated(GROUP_CHANGE_SIGNATURE_LABEL, body));
  return protocolWriter().raw(body).raw(signature, SIGNATURE_LENGTH).finish();
}

/** The zero parent hash of a creation. */
export function creationParentHash(): Uint8Array {
  return ZERO_HASH.slice();
}

/** Parses strictly without checking the signature: verifyGroupChange and applyGroupChange do that. */
export function decodeGroupChange(input: unknown): { change: GroupChange; body: Uint8Array; signature: Uint8Array } {
  const { bytes, reader } = openUserKeyFrame(input, FORMAT);
  const groupId = reader.raw(GROUP_ID_LENGTH, 'groupId');
  const epoch = reader.u32('epoch');
  const parentHash = reader.raw(GROUP_STATE_HASH_LENGTH, 'parentHash');
  const address = readGroupAddress(reader, 'group change');
  const deviceId = reader.raw(DEVICE_ID_LENGTH, 'deviceId');
  const issuedAt = reader.u32('issuedAt');
  const count = reader.u8('op count');
  if (count < 1 || count > MAX_GROUP_CHANGE_OPS) throw malformed(`must have 1-${MAX_GROUP_CHANGE_OPS} operations`);
  const ops: GroupOp[] = [];
  for (let i = 0; i < count; i += 1) ops.push(readOp(reader));
  const bodyLength = reader.offset;
  const signature = reader.raw(SIGNATURE_LENGTH, 'signature');
  reader.end();
  const change: GroupChange = { groupId, epoch, parentHash, author: { address, deviceId }, issuedAt, ops };
  checkGroupChange(change);
  return { change, body: bytes.slice(0, bodyLength), signature };
}

/** Decodes and checks the signature under the author device's signing key (`bad_signature`). */
export async function verifyGroupChange(input: unknown, signingKey: Uint8Array): Promise<GroupChange> {
  const { change, body, signature } = decodeGroupChange(input);
  if (!(signingKey instanceof Uint8Array)) throw malformed('the author signing key must be bytes');
  if (!(await ed25519Verify(signingKey, domainSeparated(GROUP_CHANGE_SIGNATURE_LABEL, body), signature)))
    throw new ProtocolError('bad_signature', 'group change: the author device signature does not verify');
  return change;
}

/** SHA-256 of the whole signed change: what the concurrent-change rule compares (§5). */
export function groupChangeHash(signedChange: Uint8Array): Uint8Array {
  return sha256(signedChange);
}
