import { loadPassphraseEstimator, MIN_PASSPHRASE_SCORE } from '../../src/ui/screens/passphrase-strength';

describe('passphrase strength estimate (zxcvbn-ts, EN and FR dictionaries)', () => {
  it.each([
    ['a top common password with a digit', 'password1'],
    ['all one character', 'aaaaaaaa'],
    ['a digit run', '12345678'],
    ['a QWERTY keyboard walk', 'qwertyuiop'],
    ['an AZERTY keyboard walk', 'azertyuiop'],
    ['a French dictionary word', 'motdepasse'],
    ['a French word and digits', 'soleil123'],
    ['the product name and a year', 'opendescent2026'],
    ['a name and a birth year', 'Jean-Pierre1980'],
    ['l33t spelling of a common password', 'P@ssw0rd!'],
  ])('scores %s below the minimum (%s)', async (_what, passphrase) => {
    const estimate = await loadPassphraseEstimator();
    expect(estimate(passphrase)).toBeLessThan(MIN_PASSPHRASE_SCORE);
  });

  it.each([
    ['four unrelated English words', 'correct horse battery staple'],
    ['four unrelated French words', 'chat noir mange souris'],
    ['a browser test’s passphrase', 'violet-harbour-47-lantern'],
    ['another browser test’s passphrase', 'copper-meadow-19-falcon'],
    ['a third browser test’s passphrase', 'amber-lighthouse-82-quartz'],
    ['accented words, composed or not (NFC first)', 'cafe\u0301 cre\u0300me bru\u0302le\u0301e'],
  ])('accepts %s', async (_what, passphrase) => {
    const estimate = await loadPassphraseEstimator();
    expect(estimate(passphrase)).toBeGreaterThanOrEqual(MIN_PASSPHRASE_SCORE);
  });

  it('loads the dictionaries once, however many times it is asked', async () => {
    expect(loadPassphraseEstimator()).toBe(loadPassphraseEstimator());
  });

  it('tries the load again after a failed one (a dropped chunk does not break the screen for good)', async () => {
    await jest.isolateModulesAsync(async () => {
      let failures = 1;
      jest.doMock('@zxcvbn-ts/language-fr', () => {
        if (failures-- > 0) throw new Error('chunk failed to load');
        return jest.requireActual('@zxcvbn-ts/language-fr');
      });
      const isolated = await import('../../src/ui/screens/passphrase-strength');
      await expect(isolated.loadPassphraseEstimator()).rejects.toThrow('chunk failed to load');
      const estimate = await isolated.loadPassphraseEstimator();
      expect(estimate('password1')).toBe(0);
    });
  });
});
