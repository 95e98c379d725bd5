import type { ReactNode } from 'react';
import { format } from '../../src/i18n/messages';
import { requireAdminPage } from '../../src/server/pages';
import { DirectoryAlertBanner } from '../../src/ui/directory-alerts';
import { LanguageSwitch } from '../../src/ui/language-switch';
import { SimpleAction } from '../../src/ui/simple-action';

export const dynamic = 'force-dynamic';

/** Every page behind sign-in: the header, the navigation, then the page. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { signedIn, csrf, locale, t } = await requireAdminPage();
  return (
    <>
      <a className="skip" href="#content">
        {t.skipToContent}
      </a>
      <header className="top">
        <div className="top-inner">
          <p className="brand">{t.appTitle}</p>
          <nav aria-label={t.appTitle}>
            <ul>
              <li>
                <a href="/members">{t.navMembers}</a>
              </li>
              <li>
                <a href="/organisation">{t.navOrganisation}</a>
              </li>
              <li>
                <a href="/audit">{t.navAudit}</a>
              </li>
              <li>
                <a href="/admins">{t.navAdmins}</a>
              </li>
            </ul>
          </nav>
          <div className="who">
            <span className="detail">{format(t.signedInAs, { name: signedIn.admin.displayName })}</span>
            <LanguageSwitch locale={locale} label={t.language} />
            <SimpleAction url="/api/auth/sign-out" csrf={csrf} label={t.signOut} working={t.working} errorPrefix={t.errorPrefix} secondary redirectTo="/sign-in" />
          </div>
        </div>
      </header>
      <main id="content" className="wide">
        <DirectoryAlertBanner />
        {children}
      </main>
    </>
  );
}
