/**
 * `createTranslator(catalogue, locale)`: `t(key, values)` for one language. Messages are ICU
 * MessageFormat (`{count, plural, one {# device} other {# devices}}`), plurals chosen by the
 * engine's CLDR rules (Intl.PluralRules: French 0 and 1.5 are "one", English 0 is "other").
 * Each message is parsed the first time it is used.
 */
import type { Catalogue, Translation } from './catalogue';
import { CompiledMessage, type MessageValue } from './compiled-message';
import type { MessageArguments } from './message-arguments';

/** The values argument of `t(key, …)`: optional for a message without arguments, required otherwise. */
export type ValuesFor<S extends string, Rich = never> = keyof MessageArguments<S> extends never
  ? [values?: Readonly<Record<string, never>>]
  : [values: Readonly<MessageArguments<S, Rich>>];

export interface Translator<Source extends Catalogue, Rich = never> {
  /**
   * The message `key` with `values` filled in. A value left out shows as `{name}`; a key the
   * catalogue does not have (only possible past the type checker) shows as the key itself.
   */
  <K extends keyof Source & string>(key: K, ...values: ValuesFor<Source[K]>): string;
  /**
   * The same for a key and values chosen together at run time (a `{ key, params }` an error or a
   * check hands to the view): the key is checked, the values only as values, since the type
   * checker cannot pair them. A value left out still shows as `{name}`.
   */
  unchecked(key: keyof Source & string, values?: Readonly<Record<string, MessageValue>>): string;
  /** The same, as parts: plain arguments may also be `Rich` values (e.g. React elements), kept whole. */
  rich<K extends keyof Source & string>(key: K, values: Readonly<MessageArguments<Source[K], Rich>>): (string | Rich)[];
  /** Whether `key` names a message: for keys built at run time (`status_${value}`). */
  has(key: string): key is keyof Source & string;
  /**
   * The message itself, unformatted, for code that formats it later with values only it knows
   * (a client component handed the message by the server: `formatMessage(message, locale, values)`).
   */
  message<K extends keyof Source & string>(key: K): string;
  /** The locale plurals and numbers follow (a BCP 47 tag). */
  readonly locale: string;
}

/**
 * A translator for `catalogue` in `locale`, typed by the source catalogue, which is always named:
 * `createTranslator<typeof en>(catalogues[locale], locale)` (without it the call fails to
 * compile rather than leave every key unchecked). Throws a RangeError for a locale that is not a
 * well-formed BCP 47 tag.
 */
export function createTranslator<Source extends Catalogue = never, Rich = never>(
  catalogue: NoInfer<Translation<Source>>,
  locale: string,
): Translator<Source, Rich> {
  const [canonical = locale] = Intl.getCanonicalLocales(locale);
  const compiled = new Map<string, CompiledMessage>();
  const has = (key: string): key is keyof Source & string => Object.prototype.hasOwnProperty.call(catalogue, key);
  const text = (key: string): string => (has(key) ? (catalogue as Catalogue)[key] : undefined) ?? key;
  const compiledFor = (key: string): CompiledMessage | undefined => {
    if (!has(key)) return undefined;
    let found = compiled.get(key);
    if (found === undefined) {
      found = new CompiledMessage(text(key), canonical);
      compiled.set(key, found);
    }
    return found;
  };
  const t = (key: string, values: Readonly<Record<string, unknown>> = {}): string =>
    compiledFor(key)?.format(values) ?? key;
  const rich = (key: string, values: Readonly<Record<string, unknown>>): (string | Rich)[] =>
    compiledFor(key)?.formatToParts<Rich>(values) ?? [key];
  return Object.assign(t, { rich, has, message: text, unchecked: t, locale: canonical }) as Translator<Source, Rich>;
}

/**
 * One message given as text rather than by key (a client component handed a catalogue message
 * by the server), formatted by the same rules. Throws the parser's SyntaxError for a message
 * that is not ICU MessageFormat.
 */
export function formatMessage(
  message: string,
  locale: string,
  values: Readonly<Record<string, MessageValue>> = {},
): string {
  return new CompiledMessage(message, locale).format(values);
}

/** `formatMessage` to parts, with non-primitive values (e.g. React elements) kept whole. */
export function formatMessageToParts<Rich>(
  message: string,
  locale: string,
  values: Readonly<Record<string, MessageValue | Rich>>,
): (string | Rich)[] {
  return new CompiledMessage(message, locale).formatToParts<Rich>(values);
}
