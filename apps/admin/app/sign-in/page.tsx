import { headers } from 'next/headers';
import { activeAdminCount } from '../../src/server/auth/one-time-secrets';
import { pageLanguage } from '../../src/server/pages';
import { adminServices } from '../../src/server/services';
import { LanguageSwitch } from '../../src/ui/language-switch';
import { PasskeySignIn } from '../../src/ui/passkey-sign-in';
import { titleFrom } from '../../src/ui/page-title';

export const generateMetadata = titleFrom((t) => t('signInHeading'));
export const dynamic = 'force-dynamic';

export default async function SignInPage() {
  const { locale, t } = await pageLanguage();
  const s = await adminServices();
  const noAdmin = (await activeAdminCount(s.prisma).catch(() => 1)) === 0;
  // WebAuthn binds passkeys to the configured origin; say so rather than fail obscurely elsewhere.
  const host = (await headers()).get('host');
  const wrongOrigin = host !== null && `${new URL(s.config.publicUrl).protocol}//${host}` !== s.config.publicUrl;
  return (
    <main className="narrow">
      <LanguageSwitch locale={locale} label={t('language')} />
      <h1>{t('appTitle')}</h1>
      <p className="lead">{t('lead')}</p>
      <section className="card" aria-labelledby="sign-in-heading">
        <h2 id="sign-in-heading">{t('signInHeading')}</h2>
        <p className="detail">{t('signInDetail')}</p>
        {wrongOrigin ? (
          <p className="notice">
            {t('signInWrongOrigin', { url: s.config.publicUrl })}{' '}
            <a href={`${s.config.publicUrl}/sign-in`}>{s.config.publicUrl}/sign-in</a>
          </p>
        ) : null}
        {noAdmin ? <p className="notice">{t('signInNoAdmin')}</p> : null}
        <PasskeySignIn
          labels={{
            button: t('signInButton'),
            working: t('working'),
            failed: t('signInFailed'),
            unsupported: t('passkeyUnsupported'),
          }}
        />
        <p>
          <a href="/recover">{t('lostPasskey')}</a>
        </p>
      </section>
    </main>
  );
}
