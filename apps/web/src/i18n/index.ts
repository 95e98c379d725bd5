/**
 * The UI's languages. Only user-facing text lives here; codes and protocol names never do.
 * The chosen language is a UI preference (kept in localStorage), never a secret.
 */
import type { DeviceTrust, MessageStatus, MessengerErrorCode, RelayStatus, SystemEvent } from '../messenger/api';
import type { Dictionary, MessageKey } from './dictionary';
import { en } from './en';
import { fr } from './fr';

export type { Dictionary, MessageKey } from './dictionary';

export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DICTIONARIES: { readonly [language in Language]: Dictionary } = { en, fr };

export const LANGUAGE_STORAGE_KEY = 'opendescent.language';

// Keys built from protocol values must exist for every value (checked here, at compile time).
const _errorKeys: { [code in MessengerErrorCode]: `error.${code}` extends MessageKey ? true : never } = {
  wrong_passphrase: true,
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
  rate_limited: true,
  directory_suspended: true,
  not_a_member: true,
  message_too_long: true,
  revoked: true,
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
  failed: true,
};
const _relayKeys: { [status in Exclude<RelayStatus, 'refused'>]: `relay.${status}` extends MessageKey ? true : never } = {
  online: true,
  connecting: true,
  offline: true,
};
const _systemKeys: { [type in Exclude<SystemEvent['type'], 'history_shared'>]: `system.${type}` extends MessageKey ? true : never } = {
  group_created: true,
  member_added: true,
  member_removed: true,
  member_left: true,
  key_changed: true,
  device_added: true,
  device_revoked: true,
  disappearing_set: true,
};

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The stored choice if any, else the first of the browser's languages we have, else English. */
export function pickLanguage(stored: string | null | undefined, browserLanguages: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

export type MessageParams = Readonly<Record<string, string | number>>;

/** The text for `key` in `language`, with `{name}` replaced from `params` (numbers formatted for the language). */
export function translate(language: Language, key: MessageKey, params: MessageParams = {}): string {
  const template = DICTIONARIES[language][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? new Intl.NumberFormat(language).format(value) : value;
  });
}

/** `relay.pending` for the pair `relay.pending.one` / `relay.pending.other`. */
export type PluralBase = {
  [Key in MessageKey]: Key extends `${infer Base}.one` ? (`${Base}.other` extends MessageKey ? Base : never) : never;
}[MessageKey];

/** `{base}.one` or `{base}.other` by the language's plural rules, with `{count}` filled in. */
export function translatePlural(language: Language, base: PluralBase, count: number, params: MessageParams = {}): string {
  const form = new Intl.PluralRules(language).select(count) === 'one' ? 'one' : 'other';
  return translate(language, `${base}.${form}` as MessageKey, { ...params, count });
}
