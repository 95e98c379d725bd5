/**
 * Loads Project Wycheproof vectors from the shared folder beside the checkout
 * (../shared/testvectors/wycheproof from the repository root). They are read in place, never
 * copied into the repository. Without the folder the suites are skipped with a visible warning;
 * with the folder but without a file, the suite fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPOSITORY_ROOT = path.resolve(__dirname, '../../..');
export const WYCHEPROOF_DIR = path.resolve(REPOSITORY_ROOT, '../shared/testvectors/wycheproof');
export const wycheproofPresent = fs.existsSync(WYCHEPROOF_DIR);

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

export interface WycheproofTest {
  readonly tcId: number;
  readonly comment?: string;
  readonly flags?: readonly string[];
  readonly result: WycheproofResult;
  readonly [field: string]: unknown;
}

export interface WycheproofGroup<T extends WycheproofTest> {
  readonly tests: readonly T[];
  readonly [field: string]: unknown;
}

export interface WycheproofFile<T extends WycheproofTest, G extends WycheproofGroup<T> = WycheproofGroup<T>> {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly G[];
}

export function loadWycheproof<T extends WycheproofTest, G extends WycheproofGroup<T> = WycheproofGroup<T>>(
  fileName: string,
): WycheproofFile<T, G> {
  return JSON.parse(fs.readFileSync(path.join(WYCHEPROOF_DIR, fileName), 'utf8')) as WycheproofFile<T, G>;
}

export function countTests(file: WycheproofFile<WycheproofTest>): number {
  return file.testGroups.reduce((sum, group) => sum + group.tests.length, 0);
}

/**
 * `describe` when the vectors are there; otherwise a `describe.skip` with the reason in its name
 * (the body is not run at all, since collecting it would read the missing files).
 */
export function describeWycheproof(name: string, body: () => void): void {
  if (wycheproofPresent) {
    describe(name, body);
  } else {
    describe.skip(`${name} [SKIPPED: Wycheproof vectors not found at ${WYCHEPROOF_DIR}]`, () => {
      it('runs every case of every applicable Wycheproof file', () => undefined);
    });
  }
}

if (!wycheproofPresent) {
  console.warn(
    `Wycheproof vectors not found at ${WYCHEPROOF_DIR}: every Wycheproof suite is SKIPPED. ` +
      'Place the shared test vectors beside the checkout (../shared/testvectors/wycheproof) to run them.',
  );
}

/** One line per failing case, so a failure names the tcIds instead of stopping at the first. */
export class CaseFailures {
  readonly lines: string[] = [];

  check(condition: boolean, test: WycheproofTest, what: string): void {
    if (!condition) this.lines.push(`tcId ${test.tcId} (${test.result}; ${(test.flags ?? []).join(',')}): ${what}`);
  }
}
