/** Over a limit, a clear problem and the text kept whole: nothing is cut the way maxLength cut a paste. */
import { translate } from '../../src/i18n';
import {
  ADDRESS_LIMIT,
  checkAddresses,
  checkGroupTitle,
  GROUP_TITLE_LIMIT,
  measureMessage,
  MESSAGE_COUNTER_FROM,
  MESSAGE_LIMIT,
} from '../../src/ui/text-limits';

describe('a message against the 4,000-character limit', () => {
  it('has no counter and no problem well under the limit', () => {
    expect(measureMessage('Bonjour')).toEqual({ length: 7, showCounter: false });
  });

  it('shows the counter from 3,500 characters on, still sendable', () => {
    expect(measureMessage('a'.repeat(MESSAGE_COUNTER_FROM - 1)).showCounter).toBe(false);
    const near = measureMessage('a'.repeat(3_612));
    expect(near).toEqual({ length: 3_612, showCounter: true });
    expect(translate('en', 'composer.count', { count: near.length, max: MESSAGE_LIMIT })).toBe('3,612 / 4,000');
  });

  it('accepts exactly 4,000 characters and refuses 4,001', () => {
    expect(measureMessage('a'.repeat(MESSAGE_LIMIT)).problem).toBeUndefined();
    expect(measureMessage('a'.repeat(MESSAGE_LIMIT + 1)).problem).toEqual({
      key: 'composer.too-long',
      params: { max: 4_000 },
    });
  });

  it('refuses a 100,000-character paste and reports its real length (not a cut one)', () => {
    const pasted = measureMessage('x'.repeat(100_000));
    expect(pasted.length).toBe(100_000);
    expect(pasted.problem?.key).toBe('composer.too-long');
  });

  it('counts as the worker counts: the trimmed text, in UTF-16 code units', () => {
    expect(measureMessage(`  ${'a'.repeat(MESSAGE_LIMIT)}\n\n`).problem).toBeUndefined();
    expect(measureMessage('😀'.repeat(2_001)).problem?.key).toBe('composer.too-long'); // 4,002 code units
  });

  it('says what to do in both languages', () => {
    expect(translate('en', 'composer.too-long', { max: MESSAGE_LIMIT })).toContain('4,000');
    expect(translate('fr', 'composer.too-long', { max: MESSAGE_LIMIT })).toMatch(/4\s000 caractères au plus/);
  });
});

describe('a group name', () => {
  it('may have 100 characters, surrounding spaces aside', () => {
    expect(checkGroupTitle(` ${'G'.repeat(GROUP_TITLE_LIMIT)} `)).toBeUndefined();
  });

  it('over 100 is refused with its length, not cut', () => {
    expect(checkGroupTitle('G'.repeat(130))).toEqual({
      key: 'new-group.title-too-long',
      params: { max: 100, count: 130 },
    });
  });
});

describe('addresses', () => {
  it('of up to 320 characters pass', () => {
    expect(checkAddresses([`${'a'.repeat(64)}@${'b'.repeat(ADDRESS_LIMIT - 65)}`, 'bob@example.org'])).toBeUndefined();
  });

  it('one over 320 characters among several is refused and named by its length', () => {
    const long = `${'a'.repeat(400)}@example.org`;
    expect(checkAddresses(['bob@example.org', long])).toEqual({
      key: 'address.too-long',
      params: { max: 320, count: long.length },
    });
  });
});
