import type { ReactNode } from 'react';
import { useI18n } from '../i18n-context';
import { LanguageSwitcher } from './language-switcher';

/** The frame of every screen before the conversations: the name, one card, the language. */
export function GateLayout({ children, testId }: { children: ReactNode; testId?: string }) {
  const { t } = useI18n();
  return (
    <main className="gate" data-testid={testId}>
      <div className="gate-brand">
        <span className="brand-mark" aria-hidden="true">
          OD
        </span>
        <span className="brand-name">{t('app.name')}</span>
      </div>
      <section className="gate-card">{children}</section>
      <footer className="gate-footer">
        <LanguageSwitcher />
      </footer>
    </main>
  );
}
