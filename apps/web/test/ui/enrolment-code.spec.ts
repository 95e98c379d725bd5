/** What a person may type or paste to enrol (docs/protocol/admin-api.md §4.1). */
import { normaliseEnrolmentCode, parseEnrolmentInput } from '../../src/ui/enrolment-code';

const ADMIN = 'https://admin.example.org';
const CODE = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ12';

describe('enrolment code', () => {
  it('accepts the display form', () => {
    expect(parseEnrolmentInput(CODE, ADMIN)).toEqual({ ok: true, code: CODE });
  });

  it('reads lower case, spaces, missing dashes and the Crockford look-alikes O, I and L', () => {
    expect(normaliseEnrolmentCode('  abcd efgh jkmn pqrs tvwx yz12 ')).toBe(CODE);
    expect(normaliseEnrolmentCode('ABCDEFGHJKMNPQRSTVWXYZ12')).toBe(CODE);
    expect(normaliseEnrolmentCode('OOOO-IIII-LLLL-0000-1111-2222')).toBe('0000-1111-1111-0000-1111-2222');
  });

  it.each([
    ['too short', 'ABCD-EFGH-JKMN-PQRS-TVWX'],
    ['too long', `${CODE}3`],
    ['U is not in the alphabet', 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ1U'],
    ['punctuation', 'ABCD.EFGH.JKMN.PQRS.TVWX.YZ12'],
    ['empty', ''],
    ['very long input', 'A'.repeat(10_000)],
  ])('refuses a malformed code (%s)', (_why, input) => {
    expect(parseEnrolmentInput(input, ADMIN)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('enrolment link', () => {
  const link = (admin: string, code = CODE, version = '1') =>
    `opendescent:enrol?v=${version}&admin=${encodeURIComponent(admin)}&code=${code}`;

  it('takes the code from a link that names this server', () => {
    expect(parseEnrolmentInput(link(ADMIN), ADMIN)).toEqual({ ok: true, code: CODE });
    expect(parseEnrolmentInput(`  ${link(`${ADMIN}/`)}\n`, ADMIN)).toEqual({ ok: true, code: CODE });
  });

  it('refuses a link for another admin server, naming it', () => {
    expect(parseEnrolmentInput(link('https://evil.example.net'), ADMIN)).toEqual({
      ok: false,
      reason: 'other-server',
      server: 'evil.example.net',
    });
    expect(parseEnrolmentInput(link('http://admin.example.org'), ADMIN)).toMatchObject({
      ok: false,
      reason: 'other-server',
    });
  });

  it.each([
    ['an unknown version', link(ADMIN, CODE, '2')],
    ['a bad code', link(ADMIN, 'NOPE')],
    ['no code', `opendescent:enrol?v=1&admin=${encodeURIComponent(ADMIN)}`],
    ['another action', `opendescent:pay?v=1&code=${CODE}`],
    ['a javascript: admin URL', link('javascript:alert(1)')],
  ])('refuses a link with %s', (_why, input) => {
    expect(parseEnrolmentInput(input, ADMIN)).toEqual({ ok: false, reason: 'link-malformed' });
  });
});
