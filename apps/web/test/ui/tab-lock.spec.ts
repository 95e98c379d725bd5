/** One messenger per browser profile: the Web Lock decides which tab runs it. */
import { holdMessengerLock, MESSENGER_LOCK_NAME } from '../../src/ui/tab-lock';

/** Enough of the Web Locks API for one exclusive lock: grants in request order, honours ifAvailable and signal. */
class FakeLockManager {
  private held = false;
  private readonly queue: (() => void)[] = [];
  readonly names: string[] = [];

  request(name: string, options: LockOptions, callback: (lock: Lock | null) => Promise<unknown>): Promise<unknown> {
    this.names.push(name);
    if (options.ifAvailable && this.held) return callback(null);
    return new Promise((resolve, reject) => {
      const grant = () => {
        this.held = true;
        callback({ name, mode: 'exclusive' } as Lock)
          .then(resolve, reject)
          .finally(() => {
            this.held = false;
            this.queue.shift()?.();
          });
      };
      if (!this.held) return grant();
      this.queue.push(grant);
      options.signal?.addEventListener('abort', () => {
        const index = this.queue.indexOf(grant);
        if (index >= 0) this.queue.splice(index, 1);
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function tab(locks: FakeLockManager) {
  const events: string[] = [];
  const release = holdMessengerLock(locks as unknown as LockManager, {
    onWaiting: () => events.push('waiting'),
    onAcquired: () => events.push('acquired'),
  });
  return { events, release };
}

describe('messenger tab lock', () => {
  it('lets the first tab run the messenger at once', async () => {
    const locks = new FakeLockManager();
    const first = tab(locks);
    await tick();
    expect(first.events).toEqual(['acquired']);
    expect(locks.names.every((name) => name === MESSENGER_LOCK_NAME)).toBe(true);
  });

  it('makes a second tab wait, then hands over when the first one closes', async () => {
    const locks = new FakeLockManager();
    const first = tab(locks);
    await tick();
    const second = tab(locks);
    await tick();
    expect(second.events).toEqual(['waiting']);
    first.release();
    await tick();
    await tick();
    expect(second.events).toEqual(['waiting', 'acquired']);
  });

  it('stops waiting when the waiting tab gives up, and never acquires afterwards', async () => {
    const locks = new FakeLockManager();
    const first = tab(locks);
    await tick();
    const second = tab(locks);
    await tick();
    second.release();
    first.release();
    await tick();
    await tick();
    expect(second.events).toEqual(['waiting']);
    const third = tab(locks);
    await tick();
    expect(third.events).toEqual(['acquired']);
  });
});
