import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { LANGUAGE_STORAGE_KEY, pickLanguage, translatorFor, type Language, type WebTranslator } from '../i18n';

export interface I18n {
  readonly language: Language;
  setLanguage(language: Language): void;
  /**
   * `t(key, values)`, values checked against the message (`t('list.unread', { count })`);
   * `t.unchecked(key, params)` for a `{ key, params }` chosen at run time.
   */
  readonly t: WebTranslator;
  /** 14:05 */
  formatTime(at: number): string;
  /** 14:05 today, a weekday within the week, else a short date: for the conversation list. */
  formatListTime(at: number): string;
  /** A day heading in a conversation. */
  formatDay(at: number): string;
  /** A full date and time, for tooltips. */
  formatDateTime(at: number): string;
  /** "5 minutes", "1 week". */
  formatDuration(seconds: number): string;
  /** "in 5 minutes", "2 days ago". */
  formatRelative(at: number): string;
}

const I18nContext = createContext<I18n | undefined>(undefined);

const DURATION_UNITS: readonly [Intl.NumberFormatOptions['unit'] & string, number][] = [
  ['week', 604_800],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

function readStoredLanguage(): string | null {
  try {
    return window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null; // storage disabled: fall back to the browser's languages
  }
}

/** The browser's own regional variant of the chosen language (en-GB: 24-hour clock), for dates and times. */
function formattingLocale(language: Language): string {
  if (typeof navigator === 'undefined') return language;
  const tags = navigator.languages ?? [navigator.language];
  return tags.find((tag) => tag.toLowerCase().split('-')[0] === language) ?? language;
}

export function I18nProvider({ children }: { children: ReactNode }) {
  // The server renders English; the browser's choice applies once mounted.
  const [language, setLanguageState] = useState<Language>('en');

  useEffect(() => {
    setLanguageState(pickLanguage(readStoredLanguage(), navigator.languages ?? [navigator.language]));
  }, []);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const setLanguage = useCallback((next: Language) => {
    setLanguageState(next);
    try {
      window.localStorage.setItem(LANGUAGE_STORAGE_KEY, next);
    } catch {
      // not persisted; the choice still applies to this page
    }
  }, []);

  const value = useMemo<I18n>(() => {
    const locale = formattingLocale(language);
    const time = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
    const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short' });
    const shortDate = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });
    const day = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    return {
      language,
      setLanguage,
      t: translatorFor(language),
      formatTime: (at) => time.format(at),
      formatListTime: (at) => {
        const now = new Date();
        const then = new Date(at);
        if (then.toDateString() === now.toDateString()) return time.format(then);
        if (now.getTime() - then.getTime() < 6 * 86_400_000) return weekday.format(then);
        return shortDate.format(then);
      },
      formatDay: (at) => day.format(at),
      formatDateTime: (at) => dateTime.format(at),
      formatDuration: (seconds) => {
        const [unit, size] = DURATION_UNITS.find(([, length]) => seconds >= length && seconds % length === 0) ?? [
          'second',
          1,
        ];
        return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(seconds / size);
      },
      formatRelative: (at) => {
        const seconds = Math.round((at - Date.now()) / 1000);
        const [unit, size] = DURATION_UNITS.find(([, length]) => Math.abs(seconds) >= length) ?? ['second', 1];
        return relative.format(Math.round(seconds / size), unit as Intl.RelativeTimeFormatUnit);
      },
    };
  }, [language, setLanguage]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
