/**
 * How hard a new passphrase is to guess: zxcvbn-ts (the maintained TypeScript port of Dropbox's
 * zxcvbn), with its common-password, English and French dictionaries and keyboard layouts (AZERTY
 * included). Its score is log10 of the guesses an attacker would need, in five steps: 0 (< 10^3),
 * 1 (< 10^6), 2 (< 10^8), 3 (< 10^10), 4 (more). The create screen refuses anything under 3.
 *
 * The dictionaries weigh about 2 MB, so they load on first use (dynamic import: a chunk of their
 * own, not part of the page). The worker does not run this: the vault itself only insists on
 * MIN_PASSPHRASE_LENGTH characters (store/vault-header.ts), and the estimate is advice the UI
 * enforces for the person choosing, who is the only one it protects.
 */

export type PassphraseScore = 0 | 1 | 2 | 3 | 4;

/** zxcvbn's "safely unguessable" level: about 10^8 guesses or more. */
export const MIN_PASSPHRASE_SCORE: PassphraseScore = 3;

/** Words that say nothing secret on this screen: the product's name. */
const CONTEXT_WORDS = ['opendescent', 'open descent', 'descent'];

export type PassphraseEstimator = (passphrase: string) => PassphraseScore;

let loading: Promise<PassphraseEstimator> | undefined;

/** Loads the dictionaries once (a failed load is tried again on the next call). */
export function loadPassphraseEstimator(): Promise<PassphraseEstimator> {
  loading ??= buildEstimator().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function buildEstimator(): Promise<PassphraseEstimator> {
  const [{ ZxcvbnFactory }, common, en, fr] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
    import('@zxcvbn-ts/language-fr'),
  ]);
  const zxcvbn = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary, ...fr.dictionary },
    graphs: common.adjacencyGraphs,
  });
  // NFC as the vault hashes it, so the estimate is of the passphrase that is actually used.
  return (passphrase) => zxcvbn.check(passphrase.normalize('NFC'), CONTEXT_WORDS).score;
}
