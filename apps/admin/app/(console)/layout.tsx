import type { ReactNode } from 'react';
import { requireAdminPage } from '../../src/server/pages';
import { ActionOutcome } from '../../src/ui/action-outcome';
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
        {t('skipToContent')}
      </a>
      <header className="top">
        <div className="top-inner">
          <p className="brand">{t('appTitle')}</p>
          <nav aria-label={t('mainNavigation')}>
            <ul>
              <li>
                <a href="/members">{t('navMembers')}</a>
              </li>
              <li>
                <a href="/organisation">{t('navOrganisation')}</a>
              </li>
              <li>
                <a href="/audit">{t('navAudit')}</a>
              </li>
              <li>
                <a href="/admins">{t('navAdmins')}</a>
              </li>
            </ul>
          </nav>
          <div className="who">
            <span className="detail">{t('signedInAs', { name: signedIn.admin.displayName })}</span>
            <LanguageSwitch locale={locale} label={t('language')} />
            <SimpleAction
              url="/api/auth/sign-out"
              csrf={csrf}
              label={t('signOut')}
              working={t('working')}
              errorPrefix={t('errorPrefix')}
              secondary
              redirectTo="/sign-in"
            />
          </div>
        </div>
      </header>
      {/* Focusable (not in the Tab order), so the skip link moves focus, not just the view. */}
      <main id="content" className="wide" tabIndex={-1}>
        <ActionOutcome>
          <DirectoryAlertBanner csrf={csrf} />
          {children}
        </ActionOutcome>
      </main>
    </>
  );
}
