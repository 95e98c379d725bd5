import { CryptoError } from '../src/errors';

/** Runs `run` and checks it threw a CryptoError with `code` (for synchronous APIs). */
export function expectCode(run: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CryptoError);
  expect(thrown).toMatchObject({ code });
}
