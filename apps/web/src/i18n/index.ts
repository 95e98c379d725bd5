/**
 * The UI's languages. Only user-facing text lives here; codes and protocol names never do.
 * The chosen language is a UI preference (kept in localStorage), never a secret. Catalogues and
 * formatting are the i18n core's (libs/i18n): ICU MessageFormat, CLDR plurals, RFC 4647 lookup.
 */
import { createTranslator, lookupLocale, type MessageValue, type Translator } from '@opendescent/i18n';
import type { DeviceTrust, MessageStatus, MessengerErrorCode, RelayStatus, SystemEvent } from '../messenger/api';
import type { Dictionary, MessageKey, WebCatalogue } from './dictionary';
import { en } from './en';
import { fr } from './fr';

export type { Dictionary, MessageKey, WebCatalogue } from './dictionary';

export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DICTIONARIES: { readonly [language in Language]: Dictionary } = { en, fr };

export const LANGUAGE_STORAGE_KEY = 'opendescent.language';

// Keys built from protocol values must exist for every value (checked here, at compile time).
const _errorKeys: { [code in MessengerErrorCode]: `error.${code}` extends MessageKey ? true : never } = {
  wrong_passphrase: true,
  unlock_delayed: true,
  weak_passphrase: true,
  locked: true,
  not_enrolled: true,
  already_enrolled: true,
  enrolment_refused: true,
  admin_unreachable: true,
  relay_unreachable: true,
  not_found: true,
  no_devices: true,
  invalid_address: true,
  own_address: true,
  rate_limited: true,
  directory_suspended: true,
  not_a_member: true,
  message_too_long: true,
  revoked: true,
  not_approved: true,
  already_approved: true,
  link_invalid: true,
  link_no_match: true,
  safety_qr_invalid: true,
  key_change_unaccepted: true,
  not_allowed: true,
  last_admin: true,
  file_too_large: true,
  storage_full: true,
  attachment_expired: true,
  attachment_invalid: true,
  cancelled: true,
  internal: true,
};
const _trustKeys: { [trust in DeviceTrust]: `trust.${trust}` extends MessageKey ? true : never } = {
  unverified: true,
  verified: true,
  key_changed: true,
  revoked: true,
};
const _statusKeys: { [status in MessageStatus]: `message.status.${status}` extends MessageKey ? true : never } = {
  queued: true,
  sent: true,
  delivered: true,
  read: true,
  failed: true,
};
const _relayKeys: { [status in Exclude<RelayStatus, 'refused'>]: `relay.${status}` extends MessageKey ? true : never } =
  {
    online: true,
    connecting: true,
    offline: true,
  };
const _systemKeys: { [type in SystemEvent['type']]: `system.${type}` extends MessageKey ? true : never } = {
  group_created: true,
  member_added: true,
  member_removed: true,
  member_left: true,
  key_changed: true,
  device_added: true,
  device_revoked: true,
  device_not_logged: true,
  device_log_pending: true,
  device_unapproved: true,
  user_key_changed: true,
  user_key_accepted: true,
  disappearing_set: true,
  history_shared: true,
  role_changed: true,
  title_changed: true,
  group_settings_changed: true,
  group_change_undone: true,
  group_change_pending: true,
};

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The stored choice if any, else the first of the browser's languages we have (RFC 4647 lookup: fr-CA → fr), else English. */
export function pickLanguage(stored: string | null | undefined, browserLanguages: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  return lookupLocale(browserLanguages, LANGUAGES, 'en');
}

/** Values for a message chosen at run time with its key (an error, a text limit): `{ key, params }`. */
export type MessageParams = Readonly<Record<string, MessageValue>>;

export type WebTranslator = Translator<WebCatalogue>;

const translators = new Map<Language, WebTranslator>();

/** The translator of a language, made once: each message is parsed once per page. */
export function translatorFor(language: Language): WebTranslator {
  let translator = translators.get(language);
  if (translator === undefined) {
    translator = createTranslator<WebCatalogue>(DICTIONARIES[language], language);
    translators.set(language, translator);
  }
  return translator;
}

/**
 * The text for `key` in `language` with `params` filled in (numbers formatted for the language,
 * plurals by its CLDR rules); a value left out shows as `{name}`. For a key chosen at run time;
 * `translatorFor(language)(key, values)` checks the values against the message.
 */
export function translate(language: Language, key: MessageKey, params?: MessageParams): string {
  return translatorFor(language).unchecked(key, params);
}
