import type { MemberView } from '../../messenger/api';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';

/**
 * A member's user key changed (user-keys.md §2.5): a re-enrolment from scratch, or an attack.
 * Nothing goes to the devices under the new key until this user accepts it, so the banner says
 * so, offers the safety numbers to compare first, and the acceptance itself. It stays until the
 * worker's snapshot no longer flags the member.
 */
export function UserKeyChangedBanner({ member, onCompare }: { member: MemberView; onCompare: () => void }) {
  const { t } = useI18n();
  const { api, refresh } = useMessenger();
  const { run, busy, error } = useAction();
  const name = member.displayName || member.address;

  const accept = async () => {
    const result = await run(() => api.acceptUserKey(member.address));
    if (result.ok) await refresh();
  };

  return (
    <div
      className="banner warning user-key-banner"
      role="alert"
      data-testid="user-key-changed-banner"
      data-address={member.address}
    >
      <Icon name="key" />
      <div className="user-key-banner-body">
        <p>{t('user-key.changed', { name })}</p>
        <div className="user-key-banner-actions">
          {/* Named with the person too: with two banners, each button still says whose key it is about. */}
          <button
            type="button"
            className="button small"
            aria-label={t('user-key.compare-named', { name })}
            onClick={onCompare}
          >
            {t('user-key.compare')}
          </button>
          <button
            type="button"
            className="button small primary"
            data-testid="accept-user-key"
            data-address={member.address}
            // While busy the visible "Working…" is the name (the name must contain what is shown).
            aria-label={busy ? undefined : t('user-key.accept-named', { name })}
            onClick={() => void accept()}
            disabled={busy}
          >
            {busy ? t('common.working') : t('user-key.accept')}
          </button>
        </div>
        <ErrorMessage error={error} />
      </div>
    </div>
  );
}
