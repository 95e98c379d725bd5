/** When the outbox is sent again after a relay refused for now (outbox-retry.ts), on a clock the test moves. */
import { OUTBOX_RETRY_FIRST_MS, OUTBOX_RETRY_LAST_MS, OutboxRetry } from '../../src/messenger/outbox-retry';

function retryAt(random: number): { retry: OutboxRetry; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  return {
    retry: new OutboxRetry(
      () => clock.now,
      () => random,
    ),
    clock,
  };
}

test('nothing is due before a refusal', () => {
  const { retry, clock } = retryAt(0.5);
  clock.now += 10 * OUTBOX_RETRY_LAST_MS;
  expect(retry.take()).toBe(false);
});

test('each refusal in a row doubles the wait up to a minute; each wait lies in its upper half', () => {
  for (const random of [0, 0.999]) {
    const { retry, clock } = retryAt(random);
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      retry.refused();
      let waited = 0;
      while (!retry.take()) {
        clock.now += 10;
        waited += 10;
      }
      waits.push(waited);
    }
    const full = [1, 2, 4, 8, 16, 32, 60, 60, 60].map((s) => s * 1000);
    waits.forEach((waited, i) => {
      const upTo = full[i] as number;
      expect(waited).toBeGreaterThanOrEqual(upTo / 2);
      expect(waited).toBeLessThanOrEqual(upTo + 10);
    });
    expect(Math.max(...waits)).toBeLessThanOrEqual(OUTBOX_RETRY_LAST_MS + 10);
  }
});

test('a due try is taken once; a flush that leaves nothing refused starts the count again', () => {
  const { retry, clock } = retryAt(0.999);
  retry.refused();
  retry.refused();
  clock.now += 2 * OUTBOX_RETRY_FIRST_MS;
  expect(retry.take()).toBe(true);
  expect(retry.take()).toBe(false);
  retry.cleared();
  clock.now += OUTBOX_RETRY_LAST_MS;
  expect(retry.take()).toBe(false);
  retry.refused();
  clock.now += OUTBOX_RETRY_FIRST_MS - 1;
  expect(retry.take()).toBe(false);
  clock.now += 1;
  expect(retry.take()).toBe(true);
});
