// The admin app's words, in English and French: ICU MessageFormat catalogues on the i18n core
// shared with the web client (libs/i18n, docs/decisions/0013-i18n-core.md). Each area keeps its
// words in `<area>-messages.ts`; they are merged here. Both catalogues have exactly the same keys
// and each message the same arguments: `translation` proves it at compile time.
import { createTranslator, negotiateLocale, translation, type Translator } from '@opendescent/i18n';
import type { ReactNode } from 'react';
import * as audit from './audit-messages';
import * as core from './core-messages';
import * as directory from './directory-messages';
import * as identifiers from './identifiers-messages';
import * as links from './links-messages';
import * as members from './members-messages';
import * as outcomes from './outcomes-messages';
import * as titles from './titles-messages';

const en = {
  ...core.en,
  ...links.en,
  ...members.en,
  ...directory.en,
  ...audit.en,
  ...identifiers.en,
  ...titles.en,
  ...outcomes.en,
} as const;
const fr = translation(en, {
  ...core.fr,
  ...links.fr,
  ...members.fr,
  ...directory.fr,
  ...audit.fr,
  ...identifiers.fr,
  ...titles.fr,
  ...outcomes.fr,
});

export type AdminCatalogue = typeof en;
export type MessageKey = keyof AdminCatalogue;

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';
export const CATALOGUES: { readonly [L in Locale]: { readonly [K in MessageKey]: string } } = { en, fr };

/**
 * `t(key, values)` in one language. `t.rich` takes React elements as values (a <LocalTime> in a
 * sentence) and gives the sentence back as parts; render them with `richText`.
 */
export type AdminTranslator = Translator<AdminCatalogue, ReactNode>;

const translators = new Map<Locale, AdminTranslator>();

/** The translator of a locale; made once, so each message is parsed once per process. */
export function translatorFor(locale: Locale): AdminTranslator {
  let translator = translators.get(locale);
  if (translator === undefined) {
    translator = createTranslator<AdminCatalogue, ReactNode>(CATALOGUES[locale], locale);
    translators.set(locale, translator);
  }
  return translator;
}

/** The language an Accept-Language header asks for (RFC 9110 §12.5.4, RFC 4647 lookup), English by default. */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale {
  return negotiateLocale(header, LOCALES, DEFAULT_LOCALE);
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}
