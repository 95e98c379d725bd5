import type { MemberView } from '../../messenger/api';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { AcceptUserKeyButton, useAcceptUserKey } from './accept-user-key-button';

/**
 * A member's user key changed (user-keys.md §2.5): a re-enrolment from scratch, or an attack.
 * Nothing goes to the devices under the new key until this user accepts it, so the banner says
 * so, offers the safety numbers to compare first, and the acceptance itself. For a person this
 * user had verified, the worker also holds everything sent in the conversation
 * (`key_change_unaccepted`), and the banner says that instead. It stays until the worker's
 * snapshot no longer flags the member.
 */
export function UserKeyChangedBanner({ member, onCompare }: { member: MemberView; onCompare: () => void }) {
  const { t } = useI18n();
  const { accept, busy, error } = useAcceptUserKey(member.address);
  const name = member.displayName || member.address;

  return (
    <div
      className="banner warning user-key-banner"
      role="alert"
      data-testid="user-key-changed-banner"
      data-address={member.address}
      data-verified={member.verified === true}
    >
      <Icon name="key" />
      <div className="user-key-banner-body">
        <p>{member.verified ? t('user-key.changed-verified', { name }) : t('user-key.changed', { name })}</p>
        <div className="user-key-banner-actions">
          <button
            type="button"
            className="button small"
            aria-label={t('user-key.compare-named', { name })}
            onClick={onCompare}
          >
            {t('user-key.compare')}
          </button>
          <AcceptUserKeyButton
            address={member.address}
            name={name}
            busy={busy}
            onAccept={() => void accept()}
            testId="accept-user-key"
          />
        </div>
        <ErrorMessage error={error} />
      </div>
    </div>
  );
}
