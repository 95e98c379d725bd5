// Page titles (WCAG 2.4.2): each page names itself in the page's language; the root layout's
// template adds the app's name ("Members · OpenDescent administration").
import type { Metadata } from 'next';
import type { AdminTranslator } from '../i18n/messages';
import { pageLanguage } from '../server/pages';

/** A page's `generateMetadata`: the title picked from the catalogue of the page's language. */
export function titleFrom(pick: (t: AdminTranslator) => string): () => Promise<Metadata> {
  return async () => ({ title: pick((await pageLanguage()).t) });
}
