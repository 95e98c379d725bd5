/**
 * Catalogues: one object per language, key → ICU MessageFormat message. The source language's
 * catalogue is declared `as const` (its literal messages type every call); each translation goes
 * through `translation(source, messages)`, which fails to compile unless it has exactly the
 * source's keys and every message has the same arguments, of the same kinds.
 */
import type { MessageArguments } from './message-arguments';

export type Catalogue = { readonly [key: string]: string };

/** A catalogue with exactly `Source`'s keys, in any language. */
export type Translation<Source extends Catalogue> = { readonly [K in keyof Source]: string };

/** The keys of `Source` whose message has no argument. */
export type PlainKey<Source extends Catalogue> = {
  [K in keyof Source & string]: keyof MessageArguments<Source[K]> extends never ? K : never;
}[keyof Source & string];

type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

/** Makes a translated message fail to type-check, quoting the source message it does not match. */
type ArgumentsDiffer<SourceMessage extends string> = {
  readonly 'has other arguments than the source message': SourceMessage;
};

/** Makes a key the source catalogue does not have fail to type-check. */
type NotInSource = { readonly 'is not a key of the source catalogue': true };

type Checked<Source extends Catalogue, T> = {
  readonly [K in keyof Source]: K extends keyof T
    ? T[K] extends string
      ? Same<MessageArguments<Source[K]>, MessageArguments<T[K]>> extends true
        ? T[K]
        : T[K] & ArgumentsDiffer<Source[K]>
      : string
    : string;
} & { readonly [K in Exclude<keyof T, keyof Source>]: T[K] & NotInSource };

/**
 * `messages`, once the type checker has proved it translates `source`: the same keys, no more,
 * and each message with the same arguments (names and kinds: a plural may translate a plural or
 * a number, not a plain text argument). `source` is only read by the type checker.
 */
export function translation<const Source extends Catalogue, const T extends Translation<Source>>(
  source: Source,
  messages: T & Checked<Source, T>,
): T {
  void source;
  return messages;
}
