import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';

/**
 * Accepting a contact's new user key (user-keys.md §2.5), wherever it is offered: the banner of a
 * conversation and the person's safety-number card. Runs acceptUserKey, then refreshes the
 * snapshot and whatever the screen shows (`onAccepted`); the error is the screen's to place.
 */
export function useAcceptUserKey(address: string, onAccepted?: () => Promise<void>) {
  const { api, refresh } = useMessenger();
  const { run, busy, error } = useAction();
  const accept = async () => {
    const result = await run(() => api.acceptUserKey(address));
    if (result.ok) await Promise.all([refresh(), onAccepted?.()]);
  };
  return { accept, busy, error };
}

export function AcceptUserKeyButton({
  address,
  name,
  busy,
  onAccept,
  testId,
}: {
  address: string;
  /** The person as shown: with two people on screen, each button still says whose key it is about. */
  name: string;
  busy: boolean;
  onAccept: () => void;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      className="button small primary"
      data-testid={testId}
      data-address={address}
      // While busy the visible "Working…" is the name (the name must contain what is shown).
      aria-label={busy ? undefined : t('user-key.accept-named', { name })}
      onClick={onAccept}
      disabled={busy}
    >
      {busy ? t('common.working') : t('user-key.accept')}
    </button>
  );
}
