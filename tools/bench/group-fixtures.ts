/**
 * People, devices and signed changes for `npm run bench:groups` (groups.bench.ts). Every key is
 * made at run time: each member's user key is the public half of a fresh Ed25519 key pair, and the
 * administrators who sign changes have a device key pair of their own (no fixed secrets).
 */
import { generateEd25519KeyPair, randomBytes, type Ed25519KeyPair } from '@opendescent/crypto';
import {
  GROUP_ID_LENGTH,
  GroupChain,
  MAX_GROUP_CHANGE_OPS,
  creationParentHash,
  encodeHex,
  signGroupChange,
  type GroupAuthorResolver,
  type GroupChangeAuthorKeys,
  type GroupOp,
  type GroupSettings,
  type GroupState,
} from '@opendescent/protocol';

export const DOMAIN = 'ministry.example';
export const SETTINGS: GroupSettings = { announcementOnly: false, addBy: 'admins', disappearAfter: null };
export const TITLE = 'Interministerial working group';

const FIRST_NAMES = [
  'anna', 'bernard', 'chloe', 'dmitri', 'elena', 'farid', 'greta', 'hugo', 'ines', 'jonas',
  'katarzyna', 'luca', 'margarethe', 'nils', 'olga', 'pierre', 'quentin', 'rosa', 'sven', 'theresa',
  'ulrich', 'valentina', 'willem', 'xavier', 'yasmin', 'zoltan', 'aurelie', 'bastian', 'cristina', 'daan',
]; // prettier-ignore
const LAST_NAMES = [
  'andersson', 'brennan', 'castellanos', 'dubois', 'eriksen', 'fitzgerald', 'gonzalez', 'hoffmann',
  'iversen', 'jankowski', 'kowalczyk', 'lindqvist', 'moreau', 'nieminen', 'oliveira', 'papadopoulos',
  'quinteros', 'rasmussen', 'schneider', 'vandenberg', 'wojciechowski', 'zimmermann', 'ferreira', 'marchetti',
]; // prettier-ignore

export interface Member {
  /** `firstname.lastname<n>@ministry.example`, in the address profile. */
  readonly address: string;
  /** The person's Ed25519 user key (public half of a key pair made at run time). */
  readonly userKey: Uint8Array;
}

export interface Author extends Member {
  readonly deviceId: Uint8Array;
  readonly device: Ed25519KeyPair;
  /** What a receiving member vouches for: the device's signing key and the person's user key. */
  readonly keys: GroupChangeAuthorKeys;
}

/** The address of member `n`: names cycle through the lists above, the number keeps it unique. */
export function addressOf(n: number): string {
  const first = FIRST_NAMES[n % FIRST_NAMES.length] as string;
  const last = LAST_NAMES[Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length] as string;
  return `${first}.${last}${n}@${DOMAIN}`;
}

/** `count` people numbered from `from`, each with a user key made now. */
export async function makeMembers(count: number, from = 0): Promise<Member[]> {
  const members: Member[] = [];
  for (let i = 0; i < count; i += 1) {
    const pair = await generateEd25519KeyPair();
    members.push({ address: addressOf(from + i), userKey: pair.publicKey });
  }
  return members;
}

/** Gives a member a device that signs group changes. */
export async function withDevice(member: Member): Promise<Author> {
  const device = await generateEd25519KeyPair();
  return {
    ...member,
    deviceId: randomBytes(16),
    device,
    keys: { signingKey: device.publicKey, userKey: member.userKey },
  };
}

/** What a member knows of the authors' approved devices (undefined: `unknown_author`). */
export function resolverFor(authors: readonly Author[]): GroupAuthorResolver {
  const byDevice = new Map(authors.map((a) => [`${a.address} ${encodeHex(a.deviceId)}`, a.keys]));
  return (address, deviceId) => byDevice.get(`${address} ${encodeHex(deviceId)}`);
}

export const addOp = (member: Member, role: 'admin' | 'member' = 'member'): GroupOp => ({
  op: 'add',
  address: member.address,
  userKey: member.userKey,
  role,
});

/**
 * The change `author` signs on `head` (the head of their own chain: its state and hash, so the
 * parent hash is not recomputed), or a creation when `head` is undefined.
 */
export async function signOn(
  author: Author,
  groupId: Uint8Array,
  head: { readonly state: GroupState; readonly hash: Uint8Array } | undefined,
  ops: readonly GroupOp[],
): Promise<Uint8Array> {
  return signGroupChange(
    {
      groupId,
      epoch: head === undefined ? 1 : head.state.epoch + 1,
      parentHash: head === undefined ? creationParentHash() : head.hash,
      author: { address: author.address, deviceId: author.deviceId },
      issuedAt: Math.floor(Date.now() / 1000),
      ops,
    },
    author.device.privateKey,
  );
}

export interface BuiltGroup {
  readonly chain: GroupChain;
  /** The creation first, then the adds, at most MAX_GROUP_CHANGE_OPS operations each. */
  readonly changes: readonly Uint8Array[];
  /** Signing every change and applying it to the creator's own chain, in ms. */
  readonly ms: number;
}

/**
 * The creator makes the group and adds `others` (the first `admins` of them as administrators),
 * in changes of at most MAX_GROUP_CHANGE_OPS operations, each signed on the head the previous one
 * made and applied to the creator's own chain, as a sending client does.
 */
export async function buildGroup(
  creator: Author,
  others: readonly Member[],
  admins: number,
  resolve: GroupAuthorResolver,
): Promise<BuiltGroup> {
  const groupId = randomBytes(GROUP_ID_LENGTH);
  const adds = others.map((member, i) => addOp(member, i < admins ? 'admin' : 'member'));
  const start = performance.now();
  const firstOps: GroupOp[] = [
    { op: 'create', title: TITLE, settings: SETTINGS },
    ...adds.slice(0, MAX_GROUP_CHANGE_OPS - 1),
  ];
  const creation = await signOn(creator, groupId, undefined, firstOps);
  const chain = await GroupChain.create(creation, creator.keys);
  const changes = [creation];
  for (let at = MAX_GROUP_CHANGE_OPS - 1; at < adds.length; at += MAX_GROUP_CHANGE_OPS) {
    const change = await signOn(creator, groupId, chain.head, adds.slice(at, at + MAX_GROUP_CHANGE_OPS));
    await chain.receive(change, resolve);
    changes.push(change);
  }
  return { chain, changes, ms: performance.now() - start };
}

/**
 * `count` title changes on the head of the chain stored as `record`, the two administrators
 * alternating, each applied to a copy of that chain as its author's client would (the copy stands
 * for both authors' view). Returns the changes and the head hash they lead to.
 */
export async function titleChanges(
  record: Uint8Array,
  authors: readonly [Author, Author],
  count: number,
  resolve: GroupAuthorResolver,
): Promise<{ changes: Uint8Array[]; head: Uint8Array }> {
  const chain = GroupChain.deserialise(record);
  const groupId = chain.head.state.groupId;
  const changes: Uint8Array[] = [];
  for (let i = 0; i < count; i += 1) {
    const change = await signOn(authors[i % 2] as Author, groupId, chain.head, [
      { op: 'title', title: `${TITLE}, update ${i + 1}` },
    ]);
    await chain.receive(change, resolve);
    changes.push(change);
  }
  return { changes, head: chain.head.hash };
}

/** `items` shuffled within consecutive windows of `window` (Fisher-Yates in each window). */
export function shuffledInWindows<T>(items: readonly T[], window: number): T[] {
  const out: T[] = [];
  for (let at = 0; at < items.length; at += window) {
    const slice = items.slice(at, at + window);
    for (let i = slice.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [slice[i], slice[j]] = [slice[j] as T, slice[i] as T];
    }
    out.push(...slice);
  }
  return out;
}
