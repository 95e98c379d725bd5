/** People, devices and change helpers for the group specs (docs/protocol/groups.md). */
import { generateEd25519KeyPair, type Ed25519KeyPair } from '@opendescent/crypto';
import {
  ProtocolError,
  applyGroupChange,
  creationParentHash,
  groupStateHash,
  signGroupChange,
  type GroupChange,
  type GroupChangeAuthorKeys,
  type GroupOp,
  type GroupSettings,
  type GroupState,
} from '../../src/index';
import { labelled } from '../support';

export const NOW = 1_800_000_000;
export const groupId = labelled('group: the example committee', 16);
export const SETTINGS: GroupSettings = { announcementOnly: false, addBy: 'admins', disappearAfter: null };

export interface Person {
  readonly address: string;
  readonly userKey: Uint8Array;
  readonly deviceId: Uint8Array;
  readonly device: Ed25519KeyPair;
  /** What the caller vouches for: the device's signing key and the person's user key. */
  readonly keys: GroupChangeAuthorKeys;
}

/** A person with one device whose signing key is made at test time. */
export async function person(name: string, device?: Ed25519KeyPair): Promise<Person> {
  const pair = device ?? (await generateEd25519KeyPair());
  const userKey = labelled(`user key: ${name}`, 32);
  return {
    address: `${name}@ministry.example`,
    userKey,
    deviceId: labelled(`device: ${name}`, 16),
    device: pair,
    keys: { signingKey: pair.publicKey, userKey },
  };
}

/** The change `author` signs on `parent` (undefined: a creation), with `overrides` for the failure tests. */
export async function changeBy(
  author: Person,
  parent: GroupState | undefined,
  ops: readonly GroupOp[],
  overrides: Partial<GroupChange> = {},
): Promise<Uint8Array> {
  return signGroupChange(
    {
      groupId,
      epoch: parent === undefined ? 1 : parent.epoch + 1,
      parentHash: parent === undefined ? creationParentHash() : groupStateHash(parent),
      author: { address: author.address, deviceId: author.deviceId },
      issuedAt: NOW,
      ops,
      ...overrides,
    },
    author.device.privateKey,
  );
}

export const create = (title = 'Example committee', settings = SETTINGS): GroupOp => ({
  op: 'create',
  title,
  settings,
});
export const add = (who: Person, role: 'admin' | 'member' = 'member'): GroupOp => ({
  op: 'add',
  address: who.address,
  userKey: who.userKey,
  role,
});

/** Applies a change made by `author` on `parent` and returns the new state. */
export async function step(
  author: Person,
  parent: GroupState | undefined,
  ops: readonly GroupOp[],
): Promise<GroupState> {
  return (await applyGroupChange(parent, await changeBy(author, parent, ops), author.keys)).state;
}

/** The code of the ProtocolError `run` rejects with; fails the test on anything else or on success. */
export async function refusal(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  throw new Error('expected a ProtocolError');
}
