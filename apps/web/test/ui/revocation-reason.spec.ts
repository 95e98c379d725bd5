/** The revoked device's screen says why in words, never the raw code ("lost_or_stolen"). */
import { REVOCATION_REASONS } from '@opendescent/protocol';
import { LANGUAGES, translate } from '../../src/i18n';
import { revocationReasonKey } from '../../src/ui/revocation-reason';

describe('revocation reasons for people', () => {
  it.each(REVOCATION_REASONS)('%s has its own sentence in every language, not the code', (reason) => {
    const key = revocationReasonKey(reason);
    expect(key).toBe(`wiped.reason.${reason}`);
    for (const language of LANGUAGES) {
      const sentence = translate(language, key);
      expect(sentence).not.toMatch(/[_{}]/); // neither a code ("lost_or_stolen") nor a placeholder
      expect(sentence).toMatch(/^\p{Lu}.*\.$/u);
    }
  });

  it('gives every reason a different sentence', () => {
    const sentences = REVOCATION_REASONS.map((reason) => translate('en', revocationReasonKey(reason)));
    expect(new Set(sentences).size).toBe(REVOCATION_REASONS.length);
  });

  it('reads a code this version does not know as "no reason given", not as the code', () => {
    expect(revocationReasonKey('stolen_by_aliens')).toBe('wiped.reason.unspecified');
    expect(revocationReasonKey('__proto__')).toBe('wiped.reason.unspecified');
    expect(revocationReasonKey('')).toBe('wiped.reason.unspecified');
  });

  it('no longer puts the reason code inside the body sentence', () => {
    expect(translate('en', 'wiped.body')).not.toContain('{reason}');
    expect(translate('fr', 'wiped.body')).not.toContain('{reason}');
  });
});
