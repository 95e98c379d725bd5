/**
 * One catalogue message, parsed once (by FormatJS's ICU MessageFormat parser: no eval, no `new
 * Function`, so it runs under a strict CSP) and formatted by intl-messageformat with the engine's
 * Intl.PluralRules and Intl.NumberFormat.
 *
 * Two rules on top of intl-messageformat, applied by rewriting the parsed message for the shape
 * of the values it is given (which arguments are missing, which plain ones got a number):
 * - A missing value never throws: the argument shows as its own `{name}`, visibly unfinished.
 *   A plural or select whose value is missing shows its `other` option, with `#` as `{name}`.
 * - A number given for a plain `{name}` is formatted for the locale ("3,612", "3 612"), as ICU
 *   itself does; intl-messageformat alone would print "3612".
 */
import { parse, TYPE, type MessageFormatElement, type PluralOrSelectOption } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';

/** What a message's arguments may be given. */
export type MessageValue = string | number | Date | bigint | boolean | null | undefined;

const PARSER_OPTIONS = { ignoreTag: true, requiresOtherClause: true } as const;

/** How a missing argument shows: its name in braces, as the catalogue wrote it. */
export function missingValueMarker(name: string): string {
  return `{${name}}`;
}

type Values = Readonly<Record<string, unknown>>;

function rewriteOptions(options: Record<string, PluralOrSelectOption>, values: Values, pound: string | undefined) {
  return Object.fromEntries(
    Object.entries(options).map(([selector, option]) => [
      selector,
      { ...option, value: rewrite(option.value, values, pound) },
    ]),
  );
}

/** The message with the two rules above applied for these values; `pound` is the marker for `#` under a missing plural. */
function rewrite(elements: readonly MessageFormatElement[], values: Values, pound?: string): MessageFormatElement[] {
  return elements.flatMap((element): MessageFormatElement[] => {
    if (element.type === TYPE.pound) return pound === undefined ? [element] : [{ type: TYPE.literal, value: pound }];
    if (element.type === TYPE.literal || element.type === TYPE.tag) return [element];
    const value = values[element.value];
    const missing = value === undefined;
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      if (!missing)
        return [
          {
            ...element,
            options: rewriteOptions(element.options, values, element.type === TYPE.plural ? undefined : pound),
          },
        ];
      const marker = element.type === TYPE.plural ? missingValueMarker(element.value) : pound;
      return rewrite(element.options['other']?.value ?? [], values, marker);
    }
    if (missing) return [{ type: TYPE.literal, value: missingValueMarker(element.value) }];
    if (element.type === TYPE.argument && typeof value === 'number')
      return [{ type: TYPE.number, value: element.value, style: null }];
    return [element];
  });
}

/** Whether the values call for a rewrite: a missing argument or a number for a plain one. */
function shapeOf(elements: readonly MessageFormatElement[], values: Values, shape: string[] = []): string[] {
  for (const element of elements) {
    if (element.type === TYPE.literal || element.type === TYPE.pound || element.type === TYPE.tag) continue;
    const value = values[element.value];
    if (value === undefined) shape.push(`-${element.value}`);
    else if (element.type === TYPE.argument && typeof value === 'number') shape.push(`#${element.value}`);
    if (element.type === TYPE.plural || element.type === TYPE.select)
      for (const option of Object.values(element.options)) shapeOf(option.value, values, shape);
  }
  return shape;
}

export class CompiledMessage {
  readonly #elements: MessageFormatElement[];
  readonly #locale: string;
  // One formatter per shape of values (usually one or two): intl-messageformat caches its Intl
  // formatters per instance.
  readonly #formats = new Map<string, IntlMessageFormat>();

  /** Throws the parser's SyntaxError for a message that is not ICU MessageFormat. */
  constructor(message: string, locale: string) {
    this.#elements = parse(message, PARSER_OPTIONS);
    this.#locale = locale;
  }

  #formatFor(values: Values): IntlMessageFormat {
    const shape = shapeOf(this.#elements, values).join(' ');
    let format = this.#formats.get(shape);
    if (format === undefined) {
      format = new IntlMessageFormat(shape === '' ? this.#elements : rewrite(this.#elements, values), this.#locale);
      this.#formats.set(shape, format);
    }
    return format;
  }

  format(values: Values): string {
    return this.formatToParts(values).join('');
  }

  /** The text, with each non-primitive value (e.g. a React element) as a part of its own. */
  formatToParts<Rich>(values: Values): (string | Rich)[] {
    return this.#formatFor(values)
      .formatToParts<Rich>(values as Record<string, MessageValue | Rich>)
      .map((part) => part.value as string | Rich);
  }
}
