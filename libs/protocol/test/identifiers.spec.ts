/** Addresses and display names a person can trust (docs/protocol/identifiers.md). */
import fc from 'fast-check';
import {
  CONFUSABLES_VERSION,
  ProtocolError,
  addressProblem,
  addressSkeleton,
  displayNameProblem,
  isAcceptableDisplayName,
  isProfileAddress,
  prepareAddress,
  prepareDisplayName,
} from '../src/index';

describe('address profile (identifiers.md §2.1)', () => {
  it.each([
    'alice@ministry.example',
    'alice.martin+news@example.org',
    'o_brien-2@sub.example.co.uk',
    'bob@xn--bcher-kva.example',
    'a@b',
  ])('accepts the ordinary address %s', (address) => {
    expect(addressProblem(address)).toBeUndefined();
  });

  it('ceo@ and ceо@ (Cyrillic о) are not both accepted: the Cyrillic one is refused, naming U+043E', () => {
    expect(isProfileAddress('ceo@example.org')).toBe(true);
    expect(addressProblem(prepareAddress('ce\u043e@example.org'))).toMatch(/U\+043E/);
  });

  it('a zero-width space in an address is refused', () => {
    expect(addressProblem(prepareAddress('c\u200beo@example.org'))).toMatch(/U\+200B/);
  });

  it('a trailing U+202E is refused', () => {
    expect(addressProblem(prepareAddress('ceo@example.org\u202e'))).toMatch(/U\+202E/);
  });

  it.each([
    ['upper case (a verifier never folds)', 'Alice@example.org', /U\+0041/],
    ['a non-ASCII local part, even composed', prepareAddress('Zoé@example.org'), /U\+00E9/],
    ['a U-label domain (only A-labels)', 'bob@bücher.example', /U\+00FC/],
    ['no @', 'alice.example.org', /exactly one @/],
    ['two @', 'a@b@c', /exactly one @/],
    ['an empty local part', '@example.org', /before the @/],
    ['a local part over 64 bytes', `${'a'.repeat(65)}@example.org`, /before the @/],
    ['a leading dot', '.alice@example.org', /dot/],
    ['a trailing dot in the local part', 'alice.@example.org', /dot/],
    ['two dots in a row', 'alice..martin@example.org', /dot/],
    ['an empty domain', 'alice@', /domain/],
    ['an empty domain label', 'alice@example..org', /domain/],
    ['a trailing dot in the domain', 'alice@example.org.', /domain/],
    ['a label starting with a hyphen', 'alice@-example.org', /domain/],
    ['a label over 63 bytes', `alice@${'a'.repeat(64)}.org`, /domain/],
    ['an underscore in the domain', 'alice@ex_ample.org', /domain/],
    ['a reserved -- label that is not an A-label', 'alice@ab--cd.example', /reserved/],
    ['a space', 'alice martin@example.org', /U\+0020/],
    ['a wildcard', 'a*@example.org', /U\+002A/],
    ['an emoji, named by its code point (not half of it)', 'ann\u{1F33B}@example.org', /U\+1F33B/],
    ['a fullwidth letter', prepareAddress('\uFF41nn@example.org'), /U\+FF41/],
    ['under 3 bytes', 'a@', /3-254 bytes/],
    ['over 254 bytes', `${'a'.repeat(64)}@${`${'b'.repeat(63)}.`.repeat(3)}example`, /3-254 bytes/],
  ])('refuses %s', (_name, address, why) => {
    expect(addressProblem(address)).toMatch(why);
  });

  it('preparation folds case and composes (NFC) but removes nothing', () => {
    expect(prepareAddress('Alice@Example.ORG')).toBe('alice@example.org');
    // KELVIN SIGN is canonically K: the prepared address is plain ASCII.
    expect(prepareAddress('\u212Aim@example.org')).toBe('kim@example.org');
    expect(prepareAddress('c\u200beo@example.org')).toBe('c\u200beo@example.org');
  });

  it('every accepted address is printable ASCII, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 20 }),
        (local, domain) => {
          const address = prepareAddress(`${local}@${domain}`);
          if (isProfileAddress(address)) expect(address).toMatch(/^[a-z0-9._+@-]+$/);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('confusable skeleton (identifiers.md §2.2, UTS #39 §4)', () => {
  it('is built from the ASCII rows of confusables.txt 17.0.0', () => {
    expect(CONFUSABLES_VERSION).toBe('17.0.0');
  });

  it.each([
    ['c0o (zero)', 'c0o@example.org', 'coo@example.org'],
    ['rn and m', 'rnallory@example.org', 'mallory@example.org'],
    ['1 and l', 'a1ice@example.org', 'alice@example.org'],
    ['vv and w', 'vvalter@example.org', 'walter@example.org'],
    ['in the domain too', 'ceo@rninistry.example', 'ceo@ministry.example'],
  ])('a look-alike of an existing member is refused (%s): same skeleton', (_name, lookAlike, existing) => {
    expect(addressSkeleton(lookAlike)).toBe(addressSkeleton(existing));
  });

  it('tells apart addresses that do not look alike', () => {
    expect(addressSkeleton('ceo@example.org')).not.toBe(addressSkeleton('cfo@example.org'));
    expect(addressSkeleton('ann@example.org')).not.toBe(addressSkeleton('anne@example.org'));
  });

  it('is a fixed point: the skeleton of a skeleton is itself', () => {
    const profileAddress = fc
      .tuple(
        fc.stringMatching(/^[a-z0-9_+-]([a-z0-9._+-]{0,10}[a-z0-9_+-])?$/),
        fc.stringMatching(/^[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,2}$/),
      )
      .map(([local, domain]) => `${local}@${domain}`)
      .filter((address) => isProfileAddress(address));
    fc.assert(
      fc.property(profileAddress, (address) => {
        const skeleton = addressSkeleton(address);
        expect(isProfileAddress(skeleton)).toBe(true);
        expect(addressSkeleton(skeleton)).toBe(skeleton);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses an address outside the profile rather than guess its skeleton', () => {
    expect(() => addressSkeleton('ce\u043e@example.org')).toThrow(ProtocolError);
  });
});

describe('display names (identifiers.md §3)', () => {
  it.each([
    'Élodie Müller',
    '李小龙',
    "O'Brien",
    'Anne-Marie',
    'Zoé Durand',
    'محمد علي',
    'Ægir Þórsson',
    'Dr. Ann Lee 3rd',
    'Kim 🌻',
  ])('accepts the ordinary name %s', (name) => {
    expect(displayNameProblem(name)).toBeUndefined();
  });

  it('a display name of only U+200B is refused', () => {
    expect(displayNameProblem(prepareDisplayName('\u200b'))).toMatch(/U\+200B/);
    expect(displayNameProblem(prepareDisplayName('\u200b\u200b\u200b'))).toMatch(/U\+200B/);
  });

  it.each([
    ['a right-to-left override', 'Alice\u202eecilA', /U\+202E/],
    ['a zero-width joiner', 'Ali\u200dce', /U\+200D/],
    ['a zero-width non-joiner', 'Ali\u200cce', /U\+200C/],
    ['a left-to-right mark', '\u200eAlice', /U\+200E/],
    ['bidi isolates', '\u2066Bob\u2069', /U\+2066/],
    ['a byte-order mark', 'Ann\ufeff', /U\+FEFF/],
    ['a line separator', 'Ann\u2028Lee', /U\+2028/],
    ['a paragraph separator', 'Ann\u2029Lee', /U\+2029/],
    ['a control character', 'bell\u0007here', /U\+0007/],
    ['a newline', 'Ann\nLee', /U\+000A/],
    ['a private-use character', 'Ann\ue000', /U\+E000/],
    ['a lone surrogate', 'Ann\ud800', /U\+D800/],
    ['an unassigned code point', 'Ann\u0378', /U\+0378/],
    ['no letter at all (digits)', '12345', /letter/],
    ['no letter at all (emoji)', '🌻', /letter/],
    ['no letter at all (punctuation)', '-.-', /letter/],
    ['nothing', '', /1-128 bytes/],
    ['over 128 bytes', 'é'.repeat(65), /1-128 bytes/],
    ['a leading combining mark', '\u0301Ann', /combining mark/],
    ['two spaces in a row', 'Ann  Lee', /single spaces/],
    ['an outer space', ' Ann', /outer spaces/],
    ['decomposed text (not NFC)', 'E\u0301lodie', /NFC/],
  ])('refuses %s', (_name, name, why) => {
    expect(displayNameProblem(name)).toMatch(why);
    expect(isAcceptableDisplayName(name)).toBe(false);
  });

  it('preparation composes, folds every space separator to one space and trims', () => {
    expect(prepareDisplayName('  Zoé   Durand ')).toBe('Zoé Durand');
    expect(prepareDisplayName('E\u0301lodie')).toBe('Élodie');
    expect(prepareDisplayName('\u00a0Ann\u3000\u2003Lee\u202f')).toBe('Ann Lee');
    // Preparation removes nothing invisible: the rule refuses it instead, so it is seen.
    expect(prepareDisplayName('Ann\u200b')).toBe('Ann\u200b');
  });

  it('a prepared name is accepted or refused, and prepared again it is unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (input) => {
        const name = prepareDisplayName(input);
        expect(prepareDisplayName(name)).toBe(name);
        const problem = displayNameProblem(name);
        if (problem === undefined) expect(/\p{L}/u.test(name)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
