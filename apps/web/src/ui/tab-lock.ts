/**
 * One messenger per browser profile: two workers over one IndexedDB vault would each advance the
 * same ratchets. The tab that holds the Web Lock runs the messenger; any other tab waits in line
 * and takes over when the holder closes.
 */
export const MESSENGER_LOCK_NAME = 'opendescent-messenger';

export interface TabLockCallbacks {
  /** Another tab holds the lock; this one is queued. */
  onWaiting(): void;
  /** This tab holds the lock until the returned release function is called. */
  onAcquired(): void;
}

/** Returns the release function (also cancels a queued request). */
export function holdMessengerLock(locks: LockManager, { onWaiting, onAcquired }: TabLockCallbacks): () => void {
  let released = false;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const abort = new AbortController();
  const keep = async () => {
    if (released) return;
    onAcquired();
    await held;
  };

  void (async () => {
    const acquired = await locks.request(MESSENGER_LOCK_NAME, { ifAvailable: true }, async (lock) => {
      if (!lock) return false;
      await keep();
      return true;
    });
    if (acquired || released) return;
    onWaiting();
    await locks.request(MESSENGER_LOCK_NAME, { signal: abort.signal }, keep);
  })().catch(() => undefined); // an aborted request: this tab was closed or stopped waiting

  return () => {
    released = true;
    abort.abort();
    release();
  };
}
