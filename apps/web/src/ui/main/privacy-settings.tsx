import { useId } from 'react';
import type { PreferencesView } from '../../messenger/api';
import { DIRECT_SETTINGS, type DirectSetting } from '../../messenger/direct/direct-ports';
import { ErrorMessage } from '../components/error-message';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';

type Preference = 'readReceipts' | 'typingIndicators';

/** Each preference's label and hint (en-settings.ts). */
const TEXTS = {
  readReceipts: { label: 'privacy.read-receipts', hint: 'privacy.read-receipts-hint' },
  typingIndicators: { label: 'privacy.typing', hint: 'privacy.typing-hint' },
} as const satisfies Record<Preference, { readonly label: string; readonly hint: string }>;

const PREFERENCES = Object.keys(TEXTS) as Preference[];

/**
 * What others may notice of this user (PreferencesView, messages.md §5.8): read receipts and
 * typing indicators, each a checkbox with a hint saying it works both ways and that only the
 * conversation's members see it; and direct connections (direct.md §8), whose hint says what the
 * peer and the TURN server learn. Folded under "Privacy" in the sidebar's footer, beside the
 * notifications control. Nothing until the worker reports the preferences (unlocked).
 */
export function PrivacySettings({ preferences }: { preferences: PreferencesView | undefined }) {
  const { t } = useI18n();
  const { api, refresh } = useMessenger();
  const { run, busy, error } = useAction();
  const id = useId();
  if (!preferences) return null;

  const change = (preferences: Partial<PreferencesView>) =>
    void run(() => api.setPreferences(preferences)).then(async (result) => {
      if (result.ok) await refresh();
    });
  const directId = `${id}-direct`;

  return (
    <details className="privacy-settings" data-testid="privacy-settings">
      <summary>{t('privacy.title')}</summary>
      {PREFERENCES.map((preference) => {
        const checkboxId = `${id}-${preference}`;
        const hintId = `${checkboxId}-hint`;
        return (
          <div key={preference} className="privacy-setting">
            <div className="checkbox">
              <input
                id={checkboxId}
                type="checkbox"
                data-testid={`privacy-${preference}`}
                checked={preferences[preference]}
                disabled={busy}
                aria-describedby={hintId}
                onChange={(event) => change({ [preference]: event.target.checked })}
              />
              <label htmlFor={checkboxId}>{t(TEXTS[preference].label)}</label>
            </div>
            <p className="hint" id={hintId}>
              {t(TEXTS[preference].hint)}
            </p>
          </div>
        );
      })}
      <div className="privacy-setting">
        <label htmlFor={directId}>{t('privacy.direct')}</label>
        <select
          id={directId}
          data-testid="privacy-directChannels"
          value={preferences.directChannels}
          disabled={busy}
          aria-describedby={`${directId}-hint`}
          onChange={(event) => change({ directChannels: event.target.value as DirectSetting })}
        >
          {DIRECT_SETTINGS.map((setting) => (
            <option key={setting} value={setting}>
              {t(`privacy.direct-${setting}`)}
            </option>
          ))}
        </select>
        <p className="hint" id={`${directId}-hint`}>
          {t('privacy.direct-hint')}
        </p>
      </div>
      <ErrorMessage error={error} />
    </details>
  );
}
