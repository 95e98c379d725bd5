/**
 * The messenger end to end in Node: several devices, each with its own encrypted store, talking
 * through a REAL relay (child process) with the organisation played by FakeAdmin. Proves the
 * flows of docs/protocol/messages.md: first contact, 1:1 with delivery receipts, groups with
 * Sender Keys and fan-out, removal, offline delivery, revocation, disappearing messages, and
 * that the raw store holds no plaintext. Alice's vault is in IndexedDB (fake-indexeddb), the
 * others' in memory: the same interface (apps/web/src/store).
 */
import { openContactSlot, verifyAttestation } from '@opendescent/protocol';
import { RelayClient } from '@opendescent/relay-client';
import type { MessageView } from '../../src/messenger/api';
import { FakeAdmin } from './fake-admin';
import { RelayProcess, mintedTokens, newOrg } from '../net/support/relay-process';
import {
  PASSPHRASE,
  conversationWith,
  enrolDevice,
  eventually,
  linkDevice,
  texts,
  type TestMessenger,
} from './support';

type Device = TestMessenger;

let relay: RelayProcess;
let admin: FakeAdmin;
const devices: Device[] = [];

/** Alice's first device keeps its vault in IndexedDB (fake-indexeddb); the others in memory. */
async function device(name: string, address: string, displayName: string, relayUrl = relay.url): Promise<Device> {
  const entry = await enrolDevice(name, address, displayName, { relayUrl, admin, indexedDb: name === 'alice' });
  devices.push(entry);
  return entry;
}

beforeAll(async () => {
  const org = await newOrg();
  relay = await RelayProcess.start(org);
  admin = new FakeAdmin(org);
}, 60_000);

afterAll(async () => {
  for (const d of devices) await d.api.lock().catch(() => undefined);
  await relay?.stop();
});

describe('messenger over a real relay', () => {
  let alice: Device;
  let bob: Device;
  let carol: Device;

  beforeAll(async () => {
    alice = await device('alice', 'alice@ministry.example', 'Alice Martin');
    bob = await device('bob', 'bob@ministry.example', 'Bob Durand');
    carol = await device('carol', 'carol@ministry.example', 'Carol Petit');
  }, 60_000);

  test('first contact: a 1:1 message arrives once, in order, and the sender sees it delivered', async () => {
    const conversation = await alice.api.startDirect('Bob@Ministry.example');
    await alice.api.send(conversation, 'hello Bob');
    await alice.api.send(conversation, 'second line');
    const atBob = await conversationWith(bob.api, (t) => t === 'Alice Martin');
    await eventually(async () => (await texts(bob.api, atBob)).length === 2, 'two messages at Bob');
    expect(await texts(bob.api, atBob)).toEqual(['hello Bob', 'second line']);
    await eventually(
      async () => (await alice.api.messages(conversation)).every((m) => m.status === 'delivered'),
      'delivered at Alice',
    );

    await bob.api.send(atBob, 'hi Alice');
    await eventually(async () => (await texts(alice.api, conversation)).includes('hi Alice'), 'reply at Alice');
    expect(await texts(alice.api, conversation)).toEqual(['hello Bob', 'second line', 'hi Alice']);
    // Nothing shown twice even after a reconnection re-delivers unacknowledged blobs.
    expect(await texts(bob.api, atBob)).toEqual(['hello Bob', 'second line', 'hi Alice']);
  }, 60_000);

  test('a group of three: everyone reads everyone; a removed member cannot read later messages', async () => {
    const group = await alice.api.createGroup('Budget 2027', ['bob@ministry.example', 'carol@ministry.example']);
    await alice.api.send(group, 'kick-off at 10');
    for (const member of [bob, carol]) {
      const id = await conversationWith(member.api, (t) => t === 'Budget 2027');
      expect(id).toBe(group);
      await eventually(
        async () => (await texts(member.api, group)).includes('kick-off at 10'),
        `group message at ${member.name}`,
      );
    }
    await carol.api.send(group, 'carol here');
    for (const member of [alice, bob])
      await eventually(
        async () => (await texts(member.api, group)).includes('carol here'),
        `carol's message at ${member.name}`,
      );

    await alice.api.removeMember(group, 'carol@ministry.example');
    await eventually(
      async () => (await carol.api.snapshot()).conversations.find((c) => c.id === group)?.active === false,
      'carol sees she was removed',
    );
    await eventually(
      async () => (await bob.api.snapshot()).conversations.find((c) => c.id === group)?.members.length === 2,
      'bob sees two members',
    );
    await alice.api.send(group, 'after carol left');
    await bob.api.send(group, 'bob after removal');
    await eventually(async () => (await texts(bob.api, group)).includes('after carol left'), 'bob reads after removal');
    await eventually(
      async () => (await texts(alice.api, group)).includes('bob after removal'),
      'alice reads bob after removal',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const carolTexts = await texts(carol.api, group);
    expect(carolTexts).not.toContain('after carol left');
    expect(carolTexts).not.toContain('bob after removal');
    const lines = (await carol.api.messages(group)).filter((m: MessageView) => m.system?.type === 'member_removed');
    expect(lines).toHaveLength(1);
  }, 60_000);

  test('a message sent while the recipient is offline (locked) arrives when it comes back', async () => {
    const conversation = await alice.api.startDirect('carol@ministry.example');
    await carol.api.lock();
    await alice.api.send(conversation, 'while you were away');
    await eventually(
      async () =>
        (await alice.api.messages(conversation)).some((m) => m.text === 'while you were away' && m.status === 'sent'),
      'stored by the relay',
    );
    await carol.api.unlock(PASSPHRASE);
    const atCarol = await conversationWith(carol.api, (t) => t === 'Alice Martin');
    await eventually(
      async () => (await texts(carol.api, atCarol)).includes('while you were away'),
      'offline message at Carol',
    );
  }, 60_000);

  test('the raw store holds no plaintext: no message text, address, name or title', async () => {
    for (const d of [alice, bob, carol]) {
      const entries = await d.store.list('');
      expect(entries.length).toBeGreaterThan(5);
      const haystack = entries
        .map((e) => `${e.key}\n${Buffer.from(e.value).toString('latin1')}\n${Buffer.from(e.value).toString('base64')}`)
        .join('\n');
      for (const needle of [
        'hello Bob',
        'kick-off',
        'Budget 2027',
        'ministry.example',
        'Alice Martin',
        'while you were away',
      ]) {
        expect(haystack).not.toContain(needle);
      }
    }
  });

  test('disappearing messages are deleted from the store once expired, on both sides', async () => {
    const conversation = await alice.api.startDirect('bob@ministry.example');
    await alice.api.setDisappearing(conversation, 1);
    const atBob = await conversationWith(bob.api, (t) => t === 'Alice Martin');
    await eventually(
      async () => (await bob.api.snapshot()).conversations.find((c) => c.id === atBob)?.disappearAfterSeconds === 1,
      'timer at Bob',
    );
    const before = (await bob.store.list('')).length;
    await alice.api.send(conversation, 'self-destruct');
    await eventually(async () => (await texts(bob.api, atBob)).includes('self-destruct'), 'ephemeral at Bob');
    await eventually(async () => !(await texts(bob.api, atBob)).includes('self-destruct'), 'gone at Bob', 5_000);
    await eventually(
      async () => !(await texts(alice.api, conversation)).includes('self-destruct'),
      'gone at Alice',
      5_000,
    );
    // Deleted, not hidden: the store shrank back (the receipt and seen-id records aside).
    expect((await bob.store.list('')).length).toBeLessThanOrEqual(before + 3);
    await alice.api.setDisappearing(conversation, null);
  }, 30_000);

  test('multi-device: a second device of Alice gets her new conversations and group membership, not history', async () => {
    const direct = (await alice.api.snapshot()).conversations.find((c) => c.title === 'Bob Durand');
    const group = (await alice.api.snapshot()).conversations.find((c) => c.title === 'Budget 2027');
    if (!direct || !group) throw new Error('earlier conversations missing');
    const alice2 = await device('alice2', 'alice@ministry.example', 'Alice Martin');
    // A second device waits for approval from the first (user-keys.md §3.3) and gets nothing before.
    expect((await alice2.api.snapshot()).device?.approval).toBe('unapproved');
    await linkDevice(alice2, alice);
    // Membership arrives from her first device; history does not.
    await eventually(
      async () => (await alice2.api.snapshot()).conversations.some((c) => c.id === group.id),
      'group at the new device',
    );
    expect(await texts(alice2.api, group.id)).toEqual([]);
    // Bob learns of the new device (devices_changed) and both of Alice's devices read him.
    const atBob = await conversationWith(bob.api, (t) => t === 'Alice Martin');
    await eventually(
      async () =>
        (await bob.api.snapshot()).conversations
          .find((c) => c.id === atBob)
          ?.members.find((m) => m.address === 'alice@ministry.example')?.devices.length === 2,
      'bob sees two devices of alice',
    );
    await bob.api.send(atBob, 'to both of you');
    await eventually(async () => (await texts(alice.api, direct.id)).includes('to both of you'), 'first device');
    const atAlice2 = await conversationWith(alice2.api, (t) => t === 'Bob Durand');
    await eventually(async () => (await texts(alice2.api, atAlice2)).includes('to both of you'), 'second device');
    // What the new device sends shows as Alice's on her first device too.
    await alice2.api.send(atAlice2, 'from my laptop');
    await eventually(async () => (await texts(bob.api, atBob)).includes('from my laptop'), 'bob reads the new device');
    await eventually(
      async () => (await alice.api.messages(direct.id)).some((m) => m.text === 'from my laptop' && m.mine),
      'copy on the first device',
    );
    // Groups: the new device reads and writes once the members hold its keys.
    await bob.api.send(group.id, 'group hello to all devices');
    await eventually(
      async () => (await texts(alice2.api, group.id)).includes('group hello to all devices'),
      'group at the new device',
    );
    await alice2.api.send(group.id, 'laptop in the group');
    await eventually(
      async () => (await texts(bob.api, group.id)).includes('laptop in the group'),
      'bob reads the laptop in the group',
    );
    await eventually(
      async () => (await texts(alice.api, group.id)).includes('laptop in the group'),
      'first device reads the laptop in the group',
    );
  }, 60_000);

  test('a new member gets no earlier history unless a member shares a bounded, signed bundle, and everyone sees it', async () => {
    const group = (await alice.api.snapshot()).conversations.find((c) => c.title === 'Budget 2027');
    if (!group) throw new Error('group missing');
    const hugo = await device('hugo', 'hugo@ministry.example', 'Hugo Lambert');
    await alice.api.addMember(group.id, 'hugo@ministry.example');
    await eventually(
      async () => (await hugo.api.snapshot()).conversations.some((c) => c.id === group.id),
      'group at hugo',
    );
    expect(await texts(hugo.api, group.id)).toEqual([]);
    const shared = await alice.api.shareHistory(group.id, 'hugo@ministry.example', 3);
    expect(shared).toBe(3);
    const before = await texts(alice.api, group.id);
    await eventually(async () => (await texts(hugo.api, group.id)).length === 3, 'three shared messages at hugo');
    expect(await texts(hugo.api, group.id)).toEqual(before.slice(-3));
    const received = (await hugo.api.messages(group.id)).filter((m) => m.text !== undefined);
    expect(received.every((m) => m.sharedBy === 'alice@ministry.example')).toBe(true);
    expect((await hugo.api.messages(group.id)).filter((m) => m.system?.type === 'history_shared')).toHaveLength(1);
    // Everyone in the group sees that it happened.
    await eventually(
      async () =>
        (await bob.api.messages(group.id)).some(
          (m) =>
            m.system?.type === 'history_shared' && m.system.with === 'hugo@ministry.example' && m.system.count === 3,
        ),
      'bob sees the sharing',
    );
    expect((await alice.api.messages(group.id)).some((m) => m.system?.type === 'history_shared')).toBe(true);
    // New messages reach the new member as usual.
    await bob.api.send(group.id, 'welcome hugo');
    await eventually(async () => (await texts(hugo.api, group.id)).includes('welcome hugo'), 'live message at hugo');
  }, 60_000);

  test("a new device of the same user gets a direct conversation's earlier messages only when shared", async () => {
    const direct = (await alice.api.snapshot()).conversations.find((c) => c.title === 'Bob Durand');
    const alice2 = devices.find((d) => d.name === 'alice2');
    if (!direct || !alice2) throw new Error('earlier steps missing');
    const atAlice2 = await conversationWith(alice2.api, (t) => t === 'Bob Durand');
    expect(await texts(alice2.api, atAlice2)).not.toContain('hello Bob');
    const shared = await alice.api.shareHistory(direct.id, 'alice@ministry.example', 100);
    expect(shared).toBeGreaterThanOrEqual(3);
    await eventually(
      async () => (await texts(alice2.api, atAlice2)).includes('hello Bob'),
      'earlier messages on the new device',
    );
    const earlier = (await alice2.api.messages(atAlice2)).find((m) => m.text === 'hello Bob');
    expect(earlier?.sharedBy).toBe('alice@ministry.example');
    expect(earlier?.mine).toBe(true);
    // In order, once each: what the new device already had is not duplicated.
    const all = await texts(alice2.api, atAlice2);
    expect(new Set(all).size).toBe(all.length);
    expect(all.indexOf('hello Bob')).toBeLessThan(all.indexOf('to both of you'));
    const atBob = await conversationWith(bob.api, (t) => t === 'Alice Martin');
    await eventually(
      async () => (await bob.api.messages(atBob)).some((m) => m.system?.type === 'history_shared'),
      'bob sees the sharing',
    );
  }, 60_000);

  test('simultaneous first contact from both sides: both messages arrive and the pair keeps talking', async () => {
    const frank = await device('frank', 'frank@ministry.example', 'Frank Noel');
    const gina = await device('gina', 'gina@ministry.example', 'Gina Faure');
    const [atFrank, atGina] = await Promise.all([
      frank.api.startDirect('gina@ministry.example'),
      gina.api.startDirect('frank@ministry.example'),
    ]);
    await Promise.all([frank.api.send(atFrank, 'frank first'), gina.api.send(atGina, 'gina first')]);
    await eventually(async () => (await texts(frank.api, atFrank)).includes('gina first'), 'gina at frank');
    await eventually(async () => (await texts(gina.api, atGina)).includes('frank first'), 'frank at gina');
    for (let round = 0; round < 3; round++) {
      await frank.api.send(atFrank, `frank ${round}`);
      await gina.api.send(atGina, `gina ${round}`);
    }
    await eventually(async () => (await texts(frank.api, atFrank)).includes('gina 2'), 'later at frank');
    await eventually(async () => (await texts(gina.api, atGina)).includes('frank 2'), 'later at gina');
    expect((await texts(gina.api, atGina)).filter((t) => t.startsWith('frank'))).toEqual([
      'frank first',
      'frank 0',
      'frank 1',
      'frank 2',
    ]);
  }, 60_000);

  test('malformed and forged blobs in a device queue are dropped and change nothing', async () => {
    const target = admin.devices.find((d) => d.address === 'carol@ministry.example');
    if (!target?.prekeySlotId) throw new Error('carol not enrolled');
    // Any holder of a valid token may write to a queue whose sender id it knows (the relay cannot tell who).
    const client = new RelayClient({ url: relay.url, credentials: mintedTokens(admin.org, relay.url) });
    client.start();
    try {
      await eventually(
        async () => client.status === 'online',
        `intruder online (${client.status} ${client.refusal ?? ''})`,
      );
      const contact = await admin.port.lookup({ address: 'carol@ministry.example' } as never);
      const attestation = await verifyAttestation(contact.devices[0]?.attestation, {
        trusted: [{ orgId: admin.org.orgId, publicKey: admin.org.key.publicKey }],
        now: Math.floor(Date.now() / 1000),
      });
      const slot = await openContactSlot(
        (await client.fetchPrekeys(target.prekeySlotId)).bundle,
        attestation.signingKey,
      );
      const before = await carol.api.snapshot();
      const storedBefore = (await carol.store.list('r:')).length;
      const garbage = [
        new Uint8Array(1024).fill(0x01),
        new Uint8Array(4096),
        Uint8Array.of(1, 2, 3),
        new Uint8Array(1024).map((_, i) => i & 0xff),
      ];
      const outcomes = await client.putMany(garbage.map((blob) => ({ senderId: slot.introSenderId, blob })));
      expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok']);
      // Acknowledged (so the relay forgets them) and nothing shown. Kept: each one's seen id and,
      // for the ones of an envelope size, a parked copy retried if a Sender Key arrives within
      // the hour (messages.md §5.2), at most 200.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const after = await carol.api.snapshot();
      expect(after.conversations.map((c) => [c.id, c.unread, c.lastMessage?.preview])).toEqual(
        before.conversations.map((c) => [c.id, c.unread, c.lastMessage?.preview]),
      );
      expect((await carol.store.list('r:')).length).toBeLessThanOrEqual(storedBefore + 2 * garbage.length);
      const conversation = await alice.api.startDirect('carol@ministry.example');
      await alice.api.send(conversation, 'carol still fine');
      const atCarol = await conversationWith(carol.api, (t) => t === 'Alice Martin');
      await eventually(async () => (await texts(carol.api, atCarol)).includes('carol still fine'), 'carol still reads');
    } finally {
      client.stop();
    }
  }, 60_000);

  test('revocation: the revoked device wipes its keys; its contacts see it and stop encrypting to it', async () => {
    const bobDevice = admin.devices.find((d) => d.address === 'bob@ministry.example');
    if (!bobDevice) throw new Error('bob not enrolled');
    await admin.revoke(bobDevice.deviceId, 'compromised');
    const wiped = await eventually(async () => (await bob.api.snapshot()).wiped, 'bob wiped');
    expect(wiped.reason).toBe('compromised');
    expect((await bob.api.snapshot()).vault).toBe('none');
    expect(await bob.store.list('r:')).toEqual([]);
    const conversation = await alice.api.startDirect('carol@ministry.example');
    const atAlice = (await alice.api.snapshot()).conversations.find((c) => c.title === 'Bob Durand');
    if (!atAlice) throw new Error('no conversation with Bob');
    await eventually(
      async () => (await alice.api.messages(atAlice.id)).some((m) => m.system?.type === 'device_revoked'),
      'revocation line at Alice',
    );
    await eventually(
      async () =>
        (await alice.api.snapshot()).conversations
          .find((c) => c.id === atAlice.id)
          ?.members.find((m) => m.address === 'bob@ministry.example')
          ?.devices.every((d) => d.trust === 'revoked'),
      'bob device shown revoked',
    );
    // The others carry on.
    await alice.api.send(conversation, 'still here');
    const atCarol = await conversationWith(carol.api, (t) => t === 'Alice Martin');
    await eventually(async () => (await texts(carol.api, atCarol)).includes('still here'), 'carol still reads');
  }, 60_000);
});

// A relay outage with the Redis store (queues survive a restart): nothing is lost, both ways.
const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) {
  console.warn('[web messenger tests] "relay outage" SKIPPED: REDIS_URL is not set');
  test.skip('SKIPPED: set REDIS_URL (e.g. redis://127.0.0.1:6379) to run the relay outage test (Redis store)', () =>
    undefined);
}
(REDIS_URL ? describe : describe.skip)('messenger across a relay outage (Redis store)', () => {
  let redisRelay: RelayProcess;
  afterAll(async () => {
    await redisRelay?.stop();
  });

  test('messages sent while the relay is down are delivered, once and in order, after it returns', async () => {
    redisRelay = await RelayProcess.start(admin.org, {
      RELAY_STORE: 'redis',
      REDIS_URL: REDIS_URL ?? '',
      RELAY_REDIS_PREFIX: `odw${Date.now()}:`,
    });
    const dana = await device('dana', 'dana@ministry.example', 'Dana Roux', redisRelay.url);
    const eric = await device('eric', 'eric@ministry.example', 'Eric Blanc', redisRelay.url);
    const conversation = await dana.api.startDirect('eric@ministry.example');
    await dana.api.send(conversation, 'before the outage');
    const atEric = await conversationWith(eric.api, (t) => t === 'Dana Roux');
    await eventually(async () => (await texts(eric.api, atEric)).includes('before the outage'), 'before at Eric');

    await redisRelay.stop();
    await eventually(
      async () => (await dana.api.snapshot()).relays.every((r) => r.status !== 'online'),
      'dana sees the relay down',
    );
    await dana.api.send(conversation, 'during 1');
    await dana.api.send(conversation, 'during 2');
    await eric.api.send(atEric, 'eric during');
    expect((await dana.api.snapshot()).pendingOutgoing).toBe(2);
    expect(
      (await dana.api.messages(conversation)).filter((m) => m.text?.startsWith('during')).map((m) => m.status),
    ).toEqual(['queued', 'queued']);

    await redisRelay.restart();
    await eventually(
      async () => (await texts(eric.api, atEric)).includes('during 2'),
      'outage messages at Eric',
      20_000,
    );
    await eventually(
      async () => (await texts(dana.api, conversation)).includes('eric during'),
      'outage reply at Dana',
      20_000,
    );
    expect(await texts(eric.api, atEric)).toEqual(['before the outage', 'during 1', 'during 2', 'eric during']);
    await eventually(async () => (await dana.api.snapshot()).pendingOutgoing === 0, 'outbox empty');
  }, 90_000);
});
