import { sha256, utf8Encode } from '@opendescent/crypto';
import { PUBLIC_KEY_LENGTH } from '../attestation';
import { ProtocolError } from '../errors';
import { addressProblem, MAX_ADDRESS_BYTES } from '../identifiers';
import { domainSeparated } from '../signing-input';
import { expectBytesInput, protocolReader, protocolWriter } from '../wire-bytes';
import type { ByteReader, ByteWriter } from '@opendescent/crypto';

/**
 * A group's state (docs/protocol/groups.md §2): plain data, the same on every member's device
 * once they applied the same chain of changes. Its canonical bytes are hashed, and each change
 * names the hash of the state it applies to, so two members who agree on a hash agree on the
 * whole membership, roles, title and settings.
 */
export const GROUP_ID_LENGTH = 16;
export const GROUP_STATE_HASH_LENGTH = 32;
export const MAX_GROUP_MEMBERS = 1000;
export const MAX_GROUP_TITLE_CHARACTERS = 100;
/** Four UTF-8 bytes per character at most. */
export const MAX_GROUP_TITLE_BYTES = 4 * MAX_GROUP_TITLE_CHARACTERS;
export const MAX_DISAPPEAR_AFTER_SECONDS = 31 * 86_400;
/** The epoch is a u32: a state at this epoch has no successor (groups.md §3). */
export const MAX_GROUP_EPOCH = 0xffff_ffff;
export const GROUP_STATE_HASH_LABEL = 'OpenDescent group state v1';

export const GROUP_ROLES = ['admin', 'member'] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];
export const GROUP_ADD_BY = ['admins', 'everyone'] as const;
export type GroupAddBy = (typeof GROUP_ADD_BY)[number];

export interface GroupSettings {
  /** Only administrators may post. */
  readonly announcementOnly: boolean;
  /** Who may add members: administrators only, or every member (who then adds members only). */
  readonly addBy: GroupAddBy;
  /** Seconds after which messages disappear (1 s - 31 days), or null: they stay. */
  readonly disappearAfter: number | null;
}

export interface GroupMember {
  /** In the address profile (identifiers.md §2). */
  readonly address: string;
  /** The person's Ed25519 user key (user-keys.md §1). */
  readonly userKey: Uint8Array;
  readonly role: GroupRole;
}

export interface GroupState {
  readonly groupId: Uint8Array;
  /** How many changes were applied: the creation makes epoch 1. */
  readonly epoch: number;
  readonly title: string;
  readonly settings: GroupSettings;
  /** Sorted by address, unique; empty once the last member left (the group has ended). */
  readonly members: readonly GroupMember[];
}

/** Largest state encoding: what a stored state or a decoder is bounded by. */
export const MAX_GROUP_STATE_BYTES =
  GROUP_ID_LENGTH + 4 + 2 + MAX_GROUP_TITLE_BYTES + 6 + 2 + MAX_GROUP_MEMBERS * (1 + MAX_ADDRESS_BYTES + 1 + 32);

const malformed = (what: string, why: string) => new ProtocolError('malformed', `${what}: ${why}`);

/** Why `title` is not a group title (1-100 characters, NFC, no control characters), or undefined. */
export function groupTitleProblem(title: string): string | undefined {
  const characters = [...title].length;
  if (characters < 1 || characters > MAX_GROUP_TITLE_CHARACTERS)
    return `must have 1-${MAX_GROUP_TITLE_CHARACTERS} characters`;
  if (title.normalize('NFC') !== title) return 'must be in NFC';
  // Control, format, separator and unassigned code points: invisible or of unknown look (identifiers.md §3).
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Cn}]/u.test(title)) return 'must not contain control characters';
  return undefined;
}

export function checkGroupTitle(title: string, what: string): void {
  const problem = groupTitleProblem(title);
  if (problem) throw malformed(what, `title ${problem}`);
}

export function checkGroupSettings(settings: GroupSettings, what: string): void {
  if (!GROUP_ADD_BY.includes(settings.addBy)) throw malformed(what, 'addBy must be admins or everyone');
  const after = settings.disappearAfter;
  if (after !== null && (!Number.isSafeInteger(after) || after < 1 || after > MAX_DISAPPEAR_AFTER_SECONDS))
    throw malformed(what, `disappearAfter must be 1-${MAX_DISAPPEAR_AFTER_SECONDS} seconds or null`);
}

export function checkGroupAddress(address: string, what: string): void {
  const problem = addressProblem(address);
  if (problem) throw malformed(what, `address ${problem}`);
}

export function checkGroupRole(role: GroupRole, what: string): void {
  if (!GROUP_ROLES.includes(role)) throw malformed(what, 'role must be admin or member');
}

/** The settings as they travel: u8 flags (bit 0: announcementOnly), u8 addBy, u32 disappearAfter (0: none). */
export function writeGroupSettings(writer: ByteWriter, settings: GroupSettings): ByteWriter {
  return writer
    .u8(settings.announcementOnly ? 1 : 0)
    .u8(GROUP_ADD_BY.indexOf(settings.addBy) + 1)
    .u32(settings.disappearAfter ?? 0);
}

export function readGroupSettings(reader: ByteReader, what: string): GroupSettings {
  const flags = reader.u8('settings flags');
  if (flags > 1) throw malformed(what, 'unknown settings flags');
  const addBy = GROUP_ADD_BY[reader.u8('addBy') - 1];
  if (addBy === undefined) throw malformed(what, 'unknown addBy');
  const after = reader.u32('disappearAfter');
  const settings: GroupSettings = { announcementOnly: flags === 1, addBy, disappearAfter: after === 0 ? null : after };
  checkGroupSettings(settings, what);
  return settings;
}

export function writeGroupTitle(writer: ByteWriter, title: string): ByteWriter {
  return writer.bytes16(utf8Encode(title));
}

export function readGroupTitle(reader: ByteReader, what: string): string {
  const title = reader.utf8(reader.count(reader.u16('title length'), MAX_GROUP_TITLE_BYTES, 'title length'), 'title');
  checkGroupTitle(title, what);
  return title;
}

export function writeGroupAddress(writer: ByteWriter, address: string): ByteWriter {
  const bytes = utf8Encode(address);
  return writer.u8(bytes.length).raw(bytes);
}

export function readGroupAddress(reader: ByteReader, what: string): string {
  const address = reader.utf8(reader.u8('address length'), 'address');
  checkGroupAddress(address, what);
  return address;
}

export function writeGroupRole(writer: ByteWriter, role: GroupRole): ByteWriter {
  return writer.u8(GROUP_ROLES.indexOf(role) + 1);
}

export function readGroupRole(reader: ByteReader, what: string): GroupRole {
  const role = GROUP_ROLES[reader.u8('role') - 1];
  if (role === undefined) throw malformed(what, 'unknown role');
  return role;
}

/** Refuses a state that breaks a rule of §2 (what an encoder must never hash). */
export function checkGroupState(state: GroupState): void {
  const what = 'group state';
  if (state.groupId.length !== GROUP_ID_LENGTH) throw malformed(what, 'groupId must be 16 bytes');
  if (!Number.isSafeInteger(state.epoch) || state.epoch < 1 || state.epoch > MAX_GROUP_EPOCH)
    throw malformed(what, 'epoch must be 1 to 2^32 - 1');
  checkGroupTitle(state.title, what);
  checkGroupSettings(state.settings, what);
  if (state.members.length > MAX_GROUP_MEMBERS) throw malformed(what, `over ${MAX_GROUP_MEMBERS} members`);
  let previous = '';
  for (const member of state.members) {
    checkGroupAddress(member.address, what);
    checkGroupRole(member.role, what);
    if (member.userKey.length !== PUBLIC_KEY_LENGTH) throw malformed(what, 'a user key must be 32 bytes');
    if (member.address <= previous) throw malformed(what, 'members must be sorted by address and unique');
    previous = member.address;
  }
}

/** The canonical bytes (§2.1): groupId, epoch, title, settings, members sorted by address. */
export function encodeGroupState(state: GroupState): Uint8Array {
  checkGroupState(state);
  const writer = protocolWriter().raw(state.groupId, GROUP_ID_LENGTH).u32(state.epoch);
  writeGroupTitle(writer, state.title);
  writeGroupSettings(writer, state.settings).u16(state.members.length);
  for (const member of state.members) {
    writeGroupAddress(writer, member.address);
    writeGroupRole(writer, member.role).raw(member.userKey, PUBLIC_KEY_LENGTH);
  }
  return writer.finish();
}

/** Strict inverse of encodeGroupState: for stored chains (group-chain.ts). */
export function decodeGroupState(input: unknown): GroupState {
  const what = 'group state';
  const reader = protocolReader(expectBytesInput(input, what, MAX_GROUP_STATE_BYTES), what);
  const groupId = reader.raw(GROUP_ID_LENGTH, 'groupId');
  const epoch = reader.u32('epoch');
  const title = readGroupTitle(reader, what);
  const settings = readGroupSettings(reader, what);
  const count = reader.count(reader.u16('member count'), MAX_GROUP_MEMBERS, 'member count');
  const members: GroupMember[] = [];
  for (let i = 0; i < count; i += 1) {
    const address = readGroupAddress(reader, what);
    const role = readGroupRole(reader, what);
    members.push({ address, role, userKey: reader.raw(PUBLIC_KEY_LENGTH, 'userKey') });
  }
  reader.end();
  const state: GroupState = { groupId, epoch, title, settings, members };
  checkGroupState(state);
  return state;
}

/** SHA-256 over the label-separated canonical bytes (§2.2): what a change's parentHash names. */
export function groupStateHash(state: GroupState): Uint8Array {
  return sha256(domainSeparated(GROUP_STATE_HASH_LABEL, encodeGroupState(state)));
}

export function groupMember(state: GroupState, address: string): GroupMember | undefined {
  return state.members.find((member) => member.address === address);
}
