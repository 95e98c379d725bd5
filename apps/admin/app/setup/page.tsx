import { pageLanguage } from '../../src/server/pages';
import { LanguageSwitch } from '../../src/ui/language-switch';
import { PasskeyRegistration } from '../../src/ui/passkey-registration';
import { registrationLabels } from '../../src/ui/registration-labels';
import { titleFrom } from '../../src/ui/page-title';

export const generateMetadata = titleFrom((t) => t('setupHeading'));
export const dynamic = 'force-dynamic';

/** The first admin's setup link, an invitation, or a passkey reset: the token is in the URL fragment. */
export default async function SetupPage() {
  const { locale, t } = await pageLanguage();
  return (
    <main className="narrow">
      <LanguageSwitch locale={locale} label={t('language')} />
      <h1>{t('appTitle')}</h1>
      <section className="card" aria-labelledby="setup-heading">
        <h2 id="setup-heading">{t('setupHeading')}</h2>
        <p className="detail">{t('setupDetail')}</p>
        <PasskeyRegistration labels={registrationLabels(t, t('createPasskey'))} />
      </section>
    </main>
  );
}
