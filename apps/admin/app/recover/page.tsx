import { pageLanguage } from '../../src/server/pages';
import { LanguageSwitch } from '../../src/ui/language-switch';
import { titleFrom } from '../../src/ui/page-title';

export const generateMetadata = titleFrom((t) => t('recoverHeading'));
export const dynamic = 'force-dynamic';

/**
 * How an administrator who lost their passkey gets back in. Nothing is typed here: both ways end
 * in a one-time link to register a new passkey (docs/decisions/0006-admin-auth.md, "Recovery").
 */
export default async function RecoverPage() {
  const { locale, t } = await pageLanguage();
  return (
    <main className="narrow">
      <LanguageSwitch locale={locale} label={t('language')} />
      <h1>{t('appTitle')}</h1>
      <section className="card" aria-labelledby="recover-heading">
        <h2 id="recover-heading">{t('recoverHeading')}</h2>
        <p className="detail">{t('recoverDetail')}</p>
        <ol>
          <li>{t('recoverByAdmin')}</li>
          <li>{t('recoverByCommand')}</li>
        </ol>
        <p>
          <a href="/sign-in">{t('signInHeading')}</a>
        </p>
      </section>
    </main>
  );
}
