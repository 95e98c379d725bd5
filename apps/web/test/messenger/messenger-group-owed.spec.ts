/**
 * A member who could not be reached when a group was made (messages.md §5.3): Chloé's device is
 * enrolled and approved but has not published its prekeys yet, so Anne's group is owed to it.
 * Anne removes Chloé before the 30 s retry hands her the branch; by then Chloé can be reached. The
 * removal alone would be held by Chloé's device for a group it never joined, and the retry stops
 * once she is out: she must be handed the branch as it stood before the removal, then the removal.
 */
import { RelayClient } from '@opendescent/relay-client';
import type { SystemEvent } from '../../src/messenger/api';
import type { RelayFactory } from '../../src/messenger/ports';
import { conversationWith, enrolDevice, eventually, useSpecWorld, type TestMessenger } from './support';

const world = useSpecWorld();
const at = (name: string) => `${name}.owed@agency.example`;

/** A relay client whose prekey publication waits until `open` is called (a device still setting up). */
function gatedRelays(): { factory: RelayFactory; open: () => void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  class GatedRelayClient extends RelayClient {
    override async publishPrekeys(...args: Parameters<RelayClient['publishPrekeys']>): Promise<number> {
      await opened;
      return super.publishPrekeys(...args);
    }
  }
  return {
    factory: (url, credentials) => new GatedRelayClient({ url, credentials, backoff: { initialMs: 50, maxMs: 500 } }),
    open: () => open(),
  };
}

const linesAt = async (who: TestMessenger, group: string): Promise<SystemEvent[]> =>
  (await who.api.messages(group)).flatMap((m) => (m.system ? [m.system] : []));

test('a member removed before the owed branch reached her is handed it, then told she was removed', async () => {
  const options = { relayUrl: world.relay.url, admin: world.admin };
  const anne = await enrolDevice('anne', at('anne'), 'Anne', options);
  const basile = await enrolDevice('basile', at('basile'), 'Basile', options);
  const gate = gatedRelays();
  const chloe = await enrolDevice('chloe', at('chloe'), 'Chloé', {
    ...options,
    relayFactory: gate.factory,
    reachable: false,
  });
  world.devices.push(anne, basile, chloe);
  await eventually(async () => (await chloe.api.snapshot()).device?.approval === 'approved', 'Chloé approved');
  expect((await chloe.api.snapshot()).device?.reachable).toBe(false);

  const group = await anne.api.createGroup('Cabinet notices', [at('basile'), at('chloe')]);
  // Basile is reached; Chloé's device is owed the branch, and Anne's conversation says so.
  await conversationWith(basile.api, (title) => title === 'Cabinet notices');
  expect(await linesAt(anne, group)).toContainEqual({ type: 'group_change_pending', member: at('chloe') });

  gate.open();
  await eventually(async () => (await chloe.api.snapshot()).device?.reachable, 'Chloé reachable');
  await anne.api.removeMember(group, at('chloe'));

  // Chloé joins from the branch before her removal, then applies the removal: she sees the group,
  // read-only, and why.
  const atChloe = await conversationWith(chloe.api, (title) => title === 'Cabinet notices');
  expect(atChloe).toBe(group);
  await eventually(
    async () => (await chloe.api.snapshot()).conversations.find((c) => c.id === group)?.active === false,
    'Chloé out of the group',
  );
  expect(await linesAt(chloe, group)).toContainEqual(
    expect.objectContaining({ type: 'member_removed', member: at('chloe'), by: at('anne') }),
  );
  // Basile's view: Chloé was removed, and the group goes on without her.
  await eventually(
    async () =>
      (await basile.api.snapshot()).conversations
        .find((c) => c.id === group)
        ?.members.every((m) => m.address !== at('chloe')),
    'Basile sees the removal',
  );
}, 90_000);
