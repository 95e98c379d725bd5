/**
 * The TURN server a device gives its peer connections (direct.md §8): asked of a relay it reaches,
 * kept until 5 minutes before the credential expires, none (and asked again 10 minutes later) when
 * the relay has none or cannot be asked, and never anything but what the relay handed out.
 */
import type { TurnCredentials } from '@opendescent/protocol';
import { TurnServers } from '../../../src/messenger/direct/turn-servers';

const NOW = 1_800_000_000_000;

function relay(answers: (TurnCredentials | Error)[]) {
  let asked = 0;
  return {
    get asked() {
      return asked;
    },
    source: {
      turnCredentials: async () => {
        const answer = answers[Math.min(asked++, answers.length - 1)] as TurnCredentials | Error;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  };
}

const credential = (expiresAt: number): TurnCredentials => ({
  urls: ['turn:turn.ministry.example:3478?transport=udp'],
  username: `${expiresAt}:00112233445566778899aabbccddeeff`,
  credential: 'c2VjcmV0LWJ1dC1ub3QtcmVhbGx5',
  expiresAt,
});

test('kept until 5 minutes before it expires, then asked for again', async () => {
  let now = NOW;
  const fake = relay([credential(NOW / 1000 + 3_600), credential(NOW / 1000 + 7_200)]);
  const turn = new TurnServers(
    () => fake.source,
    () => now,
  );
  const first = await turn.servers();
  expect(first).toEqual([
    {
      urls: ['turn:turn.ministry.example:3478?transport=udp'],
      username: `${NOW / 1000 + 3_600}:00112233445566778899aabbccddeeff`,
      credential: 'c2VjcmV0LWJ1dC1ub3QtcmVhbGx5',
    },
  ]);
  now += (3_600 - 301) * 1000;
  expect(await turn.servers()).toBe(first);
  expect(fake.asked).toBe(1);
  now += 2_000;
  expect((await turn.servers())[0]?.username).toMatch(/^1800007200:/);
  expect(fake.asked).toBe(2);
});

test('a relay with none (not_found), or none reachable: no server, asked again 10 minutes later', async () => {
  let now = NOW;
  const fake = relay([new Error('not_found'), credential(NOW / 1000 + 7_200)]);
  const turn = new TurnServers(
    () => fake.source,
    () => now,
  );
  expect(await turn.servers()).toEqual([]);
  now += 9 * 60_000;
  expect(await turn.servers()).toEqual([]);
  expect(fake.asked).toBe(1);
  now += 2 * 60_000;
  expect(await turn.servers()).toHaveLength(1);
  expect(
    await new TurnServers(
      () => undefined,
      () => now,
    ).servers(),
  ).toEqual([]);
});
