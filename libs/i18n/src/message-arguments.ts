/**
 * The arguments of an ICU MessageFormat message, read by the type checker from the message's
 * literal text, so that `t('devices', { count })` fails to compile when a value is missing or of
 * the wrong kind, and a translation that drops or renames an argument fails too (catalogue.ts).
 *
 * A small scanner over braces, not a full parser: it knows plain arguments (`{name}`), typed ones
 * (`{n, number}`, `{at, date, short}`) and the options of `plural`, `selectordinal` and `select`,
 * whose bodies are messages again. It does not know ICU's apostrophe quoting (`'{'`), which the
 * catalogues do not use; the real parser (tests: every message parses, both languages have the
 * same arguments) stays the authority.
 */

type Whitespace = ' ' | '\n' | '\t' | '\r';
type Trim<S extends string> = S extends `${Whitespace}${infer R}`
  ? Trim<R>
  : S extends `${infer R}${Whitespace}`
    ? Trim<R>
    : S;

/** What an argument is used as; plain arguments take text or a number (formatted for the locale). */
export type ArgumentKind = 'plain' | 'number' | 'plural' | 'selectordinal' | 'select' | 'date' | 'time';

type Found = readonly [name: string, kind: ArgumentKind];
type Depth = readonly unknown[];
type Pop<D extends Depth> = D extends readonly [unknown, ...infer Rest] ? Rest : [];
type KindOf<T extends string> = Trim<T> extends infer K extends ArgumentKind ? K : 'plain';

/** `['{', after]`, `['}', after]` or `['end']`: the first brace of `S`, whichever it is. */
type NextBrace<S extends string> = S extends `${infer Before}{${infer After}`
  ? Before extends `${string}}${infer AfterClose}`
    ? ['}', `${AfterClose}{${After}`]
    : ['{', After]
  : S extends `${string}}${infer After}`
    ? ['}', After]
    : ['end'];

/** In message text (depth: how many plural/select arguments enclose it). */
type ScanText<S extends string, D extends Depth, Acc extends Found> =
  NextBrace<S> extends ['{', infer After extends string]
    ? ScanArgument<After, D, Acc>
    : NextBrace<S> extends ['}', infer After extends string]
      ? D extends readonly [unknown, ...unknown[]]
        ? ScanOptions<After, D, Acc> // the end of an option's body
        : ScanText<After, D, Acc> // a stray brace: the parser's tests report it
      : Acc;

/** Just after an argument's `{`. */
type ScanArgument<S extends string, D extends Depth, Acc extends Found> = S extends `${infer Head}}${infer After}`
  ? Head extends `${infer Name},${infer Spec}`
    ? Spec extends `${infer Kind},${infer Options}`
      ? KindOf<Kind> extends 'plural' | 'selectordinal' | 'select'
        ? ScanOptions<`${Options}}${After}`, [...D, unknown], Acc | [Trim<Name>, KindOf<Kind>]>
        : ScanText<After, D, Acc | [Trim<Name>, KindOf<Kind>]> // a style: `{n, number, ::percent}`
      : ScanText<After, D, Acc | [Trim<Name>, KindOf<Spec>]>
    : ScanText<After, D, Acc | [Trim<Head>, 'plain']>
  : Acc;

/** Between the options of a plural or select argument: `one {…} other {…}}`. */
type ScanOptions<S extends string, D extends Depth, Acc extends Found> =
  NextBrace<S> extends ['{', infer After extends string]
    ? ScanText<After, D, Acc>
    : NextBrace<S> extends ['}', infer After extends string]
      ? ScanText<After, Pop<D>, Acc>
      : Acc;

/** The value an argument takes, from every kind it is used as. */
type ValueOf<Kinds extends ArgumentKind, Rich> = [Extract<Kinds, 'number' | 'plural' | 'selectordinal'>] extends [never]
  ? [Extract<Kinds, 'date' | 'time'>] extends [never]
    ? [Extract<Kinds, 'select'>] extends [never]
      ? string | number | Rich
      : string
    : Date | number
  : number;

/**
 * `{ name: type }` for every argument of the message `S`; `{}` for a message without any. `Rich`
 * is what plain arguments may also take when formatting to parts (e.g. a React element). For a
 * union of messages (a key built at run time), the union of their arguments.
 */
export type MessageArguments<S extends string, Rich = never> = S extends string
  ? ScanText<S, [], never> extends infer F extends Found
    ? { [Name in F[0]]: ValueOf<Extract<F, readonly [Name, ArgumentKind]>[1], Rich> }
    : never
  : never;
