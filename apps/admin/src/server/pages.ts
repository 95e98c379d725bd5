// What every page needs on the server: the language, the signed-in admin (or a redirect to
// sign-in) and the CSRF token the page hands to its forms.
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { isLocale, localeFromAcceptLanguage, translatorFor, type AdminTranslator, type Locale } from '../i18n/messages';
import { csrfTokenFor, sessionCookieName, sessionFromCookieValue, type SignedIn } from './auth/sessions';
import { adminServices, type AdminServices } from './services';

export const LANGUAGE_COOKIE = 'od_lang';

/** The language chosen with the switch (a cookie), else the one the browser asks for, English by default. */
export async function pageLanguage(): Promise<{ locale: Locale; t: AdminTranslator }> {
  const chosen = (await cookies()).get(LANGUAGE_COOKIE)?.value;
  const locale = isLocale(chosen) ? chosen : localeFromAcceptLanguage((await headers()).get('accept-language'));
  return { locale, t: translatorFor(locale) };
}

export async function currentAdmin(s: AdminServices): Promise<SignedIn | undefined> {
  return sessionFromCookieValue(s, (await cookies()).get(sessionCookieName(s.config.publicUrl))?.value);
}

export interface AdminPage {
  readonly s: AdminServices;
  readonly signedIn: SignedIn;
  readonly csrf: string;
  readonly locale: Locale;
  readonly t: AdminTranslator;
}

/** For pages behind sign-in: the admin, or a redirect to /sign-in. */
export async function requireAdminPage(): Promise<AdminPage> {
  const s = await adminServices();
  const signedIn = await currentAdmin(s);
  if (!signedIn) redirect('/sign-in');
  return { s, signedIn, csrf: csrfTokenFor(signedIn.token), ...(await pageLanguage()) };
}
