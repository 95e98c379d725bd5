import type { Metadata } from 'next';
import { pageLanguage } from '../../src/server/pages';
import { LanguageSwitch } from '../../src/ui/language-switch';
import { PasskeyRegistration } from '../../src/ui/passkey-registration';
import { registrationLabels } from '../../src/ui/registration-labels';

export const metadata: Metadata = { title: 'Recover access · OpenDescent administration' };
export const dynamic = 'force-dynamic';

export default async function RecoverPage() {
  const { locale, t } = await pageLanguage();
  return (
    <main className="narrow">
      <LanguageSwitch locale={locale} label={t.language} />
      <h1>{t.appTitle}</h1>
      <section className="card" aria-labelledby="recover-heading">
        <h2 id="recover-heading">{t.recoverHeading}</h2>
        <p className="detail">{t.recoverDetail}</p>
        <PasskeyRegistration mode="recovery" labels={registrationLabels(t, t.createPasskey)} />
      </section>
    </main>
  );
}
