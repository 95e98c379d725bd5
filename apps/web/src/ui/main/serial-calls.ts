/**
 * Calls to the worker that must reach it in the order they were asked, each after the one before
 * has settled. The worker serves requests as they arrive, so a `cancelDeviceLink` sent while a
 * `startDeviceLink` is still running could be served first and leave an offer nobody shows, or a
 * later start could be dropped by an earlier cancel (React mounts a component twice in
 * development: start, cancel, start).
 */
export type SerialCalls = <T>(call: () => Promise<T>) => Promise<T>;

export function createSerialCalls(): SerialCalls {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(call: () => Promise<T>): Promise<T> => {
    const result = last.then(call);
    // A failed call does not stop the next one; the caller still sees its own failure.
    last = result.catch(() => undefined);
    return result;
  };
}
