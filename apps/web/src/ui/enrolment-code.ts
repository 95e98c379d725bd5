/**
 * Reading what a person types or pastes to enrol this device (docs/protocol/admin-api.md §4.1):
 * the one-time code `HHHH-HHHH-SSSS-SSSS-SSSS-SSSS` (Crockford base32, case-insensitive, dashes and
 * spaces ignored, O→0 and I/L→1), or the enrolment link `opendescent:enrol?v=1&admin=…&code=…`.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 24;

export type EnrolmentInput =
  | { readonly ok: true; readonly code: string }
  | { readonly ok: false; readonly reason: 'malformed' | 'link-malformed' }
  | { readonly ok: false; readonly reason: 'other-server'; readonly server: string };

/** The code in its display form, or undefined when it is not one. */
export function normaliseEnrolmentCode(input: string): string | undefined {
  if (input.length > 64) return undefined;
  const text = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (text.length !== CODE_LENGTH || ![...text].every((symbol) => ALPHABET.includes(symbol))) return undefined;
  return text.match(/.{4}/g)?.join('-');
}

const originOf = (url: string): string | undefined => {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A link naming another admin server is refused rather than followed: this client talks only to
 * the admin app it was configured with (and its Content-Security-Policy allows no other).
 */
export function parseEnrolmentInput(input: string, configuredAdminUrl: string): EnrolmentInput {
  const text = input.trim();
  if (!/^opendescent:/i.test(text)) {
    const code = normaliseEnrolmentCode(text);
    return code ? { ok: true, code } : { ok: false, reason: 'malformed' };
  }
  let link: URL;
  try {
    link = new URL(text);
  } catch {
    return { ok: false, reason: 'link-malformed' };
  }
  const params = link.searchParams;
  const code = normaliseEnrolmentCode(params.get('code') ?? '');
  if (link.pathname.toLowerCase() !== 'enrol' || params.get('v') !== '1' || !code)
    return { ok: false, reason: 'link-malformed' };
  const admin = params.get('admin');
  if (admin !== null) {
    const origin = originOf(admin);
    if (!origin) return { ok: false, reason: 'link-malformed' };
    if (origin !== originOf(configuredAdminUrl))
      return { ok: false, reason: 'other-server', server: new URL(origin).host };
  }
  return { ok: true, code };
}
