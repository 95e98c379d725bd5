import { useId } from 'react';
import { isLanguage, LANGUAGES } from '../../i18n';
import { useI18n } from '../i18n-context';

export function LanguageSwitcher() {
  const { t, language, setLanguage } = useI18n();
  const id = useId();
  return (
    <div className="language-switcher">
      <label htmlFor={id}>{t('language.label')}</label>
      <select
        id={id}
        value={language}
        data-testid="language-select"
        onChange={(event) => {
          if (isLanguage(event.target.value)) setLanguage(event.target.value);
        }}
      >
        {LANGUAGES.map((code) => (
          <option key={code} value={code} lang={code}>
            {t(`language.${code}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
