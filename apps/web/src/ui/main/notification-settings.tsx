import { useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../i18n-context';
import type { NotificationSettingsState } from '../notifications-browser';

/**
 * The discreet notifications control of the sidebar: "Turn on notifications" while the browser has
 * not asked yet (asking is this click, never the first load), where to unblock them once refused,
 * and once granted whether a notification may name the sender (off by default: the system keeps
 * notifications outside the encrypted store). Nothing where the browser has no notifications.
 */
export function NotificationSettings({ settings }: { settings: NotificationSettingsState }) {
  const { t } = useI18n();
  const { permission, showSender } = settings;
  const checkboxId = useId();
  const hintId = useId();
  const [asking, setAsking] = useState(false);
  /** The button that had the focus is gone once answered: the focus moves to what replaced it (WCAG 2.4.3). */
  const [answered, setAnswered] = useState(false);
  const checkbox = useRef<HTMLInputElement>(null);
  const blocked = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (!answered) return;
    setAnswered(false);
    (permission === 'granted' ? checkbox.current : blocked.current)?.focus();
  }, [answered, permission]);

  if (permission === 'unsupported') return null;

  const turnOn = () => {
    setAsking(true);
    void settings.requestPermission().finally(() => {
      setAsking(false);
      setAnswered(true);
    });
  };

  return (
    <div className="notification-settings" data-testid="notification-settings" data-permission={permission}>
      {permission === 'default' && (
        <button
          type="button"
          className="button small"
          data-testid="notifications-turn-on"
          disabled={asking}
          onClick={turnOn}
        >
          {t('notifications.turn-on')}
        </button>
      )}
      {permission === 'denied' && (
        <p className="hint" data-testid="notifications-blocked" tabIndex={-1} ref={blocked}>
          {t('notifications.blocked')}
        </p>
      )}
      {permission === 'granted' && (
        <>
          <p className="hint" data-testid="notifications-on">
            {t('notifications.on')}
          </p>
          <div className="checkbox">
            <input
              id={checkboxId}
              ref={checkbox}
              type="checkbox"
              data-testid="notifications-show-sender"
              checked={showSender}
              aria-describedby={hintId}
              onChange={(event) => settings.setShowSender(event.target.checked)}
            />
            <label htmlFor={checkboxId}>{t('notifications.show-sender')}</label>
          </div>
          <p className="hint" id={hintId}>
            {t('notifications.show-sender-hint')}
          </p>
        </>
      )}
    </div>
  );
}
