/**
 * The device-link offer's start and cancel reach the worker one after another, in the order asked
 * (src/ui/main/serial-calls.ts): a cancel never overtakes the start before it, and a failure does
 * not hold up what follows.
 */
import { createSerialCalls } from '../../src/ui/main/serial-calls';

/** A call that finishes only when the test says so, recording when it began and ended. */
function controlledCall(name: string, log: string[]) {
  let finish: (value: string) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const call = () => {
    log.push(`${name} began`);
    return new Promise<string>((resolve, reject) => {
      finish = (value) => {
        log.push(`${name} ended`);
        resolve(value);
      };
      fail = (error) => {
        log.push(`${name} failed`);
        reject(error);
      };
    });
  };
  return { call, finish: (value: string) => finish(value), fail: (error: unknown) => fail(error) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('serial calls', () => {
  it('a cancel asked while a slow start runs waits for it, and the next start waits for the cancel', async () => {
    const calls = createSerialCalls();
    const log: string[] = [];
    const start1 = controlledCall('start 1', log);
    const cancel = controlledCall('cancel', log);
    const start2 = controlledCall('start 2', log);

    // What a component mounted twice asks (React's development mode): start, cancel, start.
    const first = calls(start1.call);
    const cancelled = calls(cancel.call);
    const second = calls(start2.call);
    await settle();
    expect(log).toEqual(['start 1 began']);

    start1.finish('offer 1');
    await settle();
    expect(log).toEqual(['start 1 began', 'start 1 ended', 'cancel began']);

    cancel.finish('');
    await settle();
    start2.finish('offer 2');
    await expect(first).resolves.toBe('offer 1');
    await expect(cancelled).resolves.toBe('');
    await expect(second).resolves.toBe('offer 2');
    expect(log).toEqual([
      'start 1 began',
      'start 1 ended',
      'cancel began',
      'cancel ended',
      'start 2 began',
      'start 2 ended',
    ]);
  });

  it('a failed call rejects for its caller only; the next one still runs', async () => {
    const calls = createSerialCalls();
    const log: string[] = [];
    const broken = controlledCall('start', log);
    const failing = calls(broken.call);
    const next = calls(async () => 'cancelled');
    await settle();
    broken.fail({ code: 'internal', message: 'internal error' });
    await expect(failing).rejects.toEqual({ code: 'internal', message: 'internal error' });
    await expect(next).resolves.toBe('cancelled');
  });

  it('a call that throws before returning a promise is a rejection, not a broken queue', async () => {
    const calls = createSerialCalls();
    const thrown = calls((): Promise<string> => {
      throw new Error('synchronous');
    });
    await expect(thrown).rejects.toThrow('synchronous');
    await expect(calls(async () => 'after')).resolves.toBe('after');
  });
});
