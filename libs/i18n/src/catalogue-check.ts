/**
 * The run-time twin of `translation`'s compile-time check, by the real ICU parser: for a test of
 * each app's catalogues, so that what the type-level scanner cannot see (a message that does not
 * parse, a plural without `other`) fails too.
 */
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import type { Catalogue } from './catalogue';

/** What a value must be, by how the argument is used (the classes of message-arguments.ts's ValueOf). */
type ValueClass = 'text or number' | 'number' | 'date' | 'select';

function valueClass(type: TYPE): ValueClass | undefined {
  if (type === TYPE.argument) return 'text or number';
  if (type === TYPE.number || type === TYPE.plural) return 'number';
  if (type === TYPE.date || type === TYPE.time) return 'date';
  if (type === TYPE.select) return 'select';
  return undefined;
}

function collectArguments(
  elements: readonly MessageFormatElement[],
  found: Map<string, Set<ValueClass>>,
): Map<string, Set<ValueClass>> {
  for (const element of elements) {
    if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
    const kind = valueClass(element.type);
    if (kind !== undefined) found.set(element.value, (found.get(element.value) ?? new Set()).add(kind));
    if (element.type === TYPE.plural || element.type === TYPE.select)
      for (const option of Object.values(element.options)) collectArguments(option.value, found);
    if (element.type === TYPE.tag) collectArguments(element.children, found);
  }
  return found;
}

/** `name: class` for each argument, sorted: "count: number, name: text or number". */
function describeArguments(message: string): string {
  const found = collectArguments(parse(message, { ignoreTag: true, requiresOtherClause: true }), new Map());
  return [...found.entries()]
    .map(([name, classes]) => `${name}: ${classes.has('number') ? 'number' : [...classes].sort().join(' & ')}`)
    .sort()
    .join(', ');
}

function argumentsOrError(message: unknown): { readonly description: string } | { readonly error: string } {
  if (typeof message !== 'string') return { error: 'is not a string' };
  try {
    return { description: describeArguments(message) };
  } catch (error) {
    return { error: `does not parse (${error instanceof Error ? error.message : String(error)})` };
  }
}

/**
 * Every way `translation` fails to translate `source`, one sentence each; none for a good pair:
 * keys missing or extra, messages that are not ICU MessageFormat (a plural needs `other`), and
 * messages whose arguments differ in name or in the kind of value they take.
 */
export function catalogueProblems(source: Catalogue, translation: Catalogue): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(source))
    if (!Object.hasOwn(translation, key)) problems.push(`${key}: missing from the translation`);
  for (const key of Object.keys(translation))
    if (!Object.hasOwn(source, key)) problems.push(`${key}: not in the source catalogue`);
  for (const key of Object.keys(source)) {
    const expected = argumentsOrError(source[key]);
    if ('error' in expected) problems.push(`${key}: the source message ${expected.error}`);
    if (!Object.hasOwn(translation, key)) continue;
    const actual = argumentsOrError(translation[key]);
    if ('error' in actual) problems.push(`${key}: the translated message ${actual.error}`);
    else if ('description' in expected && actual.description !== expected.description) {
      problems.push(`${key}: arguments {${actual.description}} instead of {${expected.description}}`);
    }
  }
  return problems;
}
