// The i18n core shared by the web client and the admin app (docs/decisions/0013-i18n-core.md):
// ICU MessageFormat catalogues checked by the type checker, CLDR plurals through the engine's
// Intl.PluralRules, and Accept-Language negotiation. No I/O, no DOM: it runs in the page, the
// worker and Node alike.
export { translation, type Catalogue, type PlainKey, type Translation } from './catalogue';
export { catalogueProblems } from './catalogue-check';
export { missingValueMarker, type MessageValue } from './compiled-message';
export { lookupLocale, negotiateLocale, parseAcceptLanguage, type WeightedRange } from './locale-negotiation';
export type { ArgumentKind, MessageArguments } from './message-arguments';
export { createTranslator, formatMessage, formatMessageToParts, type Translator, type ValuesFor } from './translator';
