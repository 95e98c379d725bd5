'use client';
import { useRouter } from 'next/navigation';
import type { Locale } from '../i18n/messages';

/** Sets the language cookie (not a secret, not a session) and re-renders the page. */
export function LanguageSwitch({ locale, label }: { locale: Locale; label: string }) {
  const router = useRouter();
  const choose = (next: Locale) => {
    document.cookie = `od_lang=${next}; Path=/; Max-Age=31536000; SameSite=Strict`;
    router.refresh();
  };
  return (
    <nav className="language" aria-label={label}>
      {(['en', 'fr'] as const).map((option) => (
        <button
          key={option}
          type="button"
          className="link"
          lang={option}
          aria-pressed={option === locale}
          onClick={() => choose(option)}
        >
          {option === 'en' ? 'English' : 'Français'}
        </button>
      ))}
    </nav>
  );
}
