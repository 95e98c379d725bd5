import { pageLanguage } from '../src/server/pages';
import { titleFrom } from '../src/ui/page-title';

export const generateMetadata = titleFrom((t) => t('notFoundTitle'));

/**
 * Unknown pages and ids. Replaces Next.js's default page, whose inline styles the CSP refuses
 * (docs/decisions/0009-admin-csp.md): this one uses the console's stylesheet only.
 */
export default async function NotFound() {
  const { t } = await pageLanguage();
  return (
    <main className="narrow">
      <h1>{t('notFoundHeading')}</h1>
      <p className="lead">{t('notFoundDetail')}</p>
      <p>
        <a href="/">{t('notFoundHome')}</a>
      </p>
    </main>
  );
}
