import type { RevocationView } from '../../messenger/api';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';

/**
 * What the revocation list's freshness means for this device (attestations.md §3.5): nothing while
 * it is fresh; a warning once it is stale, with the time sending will be held; an alert while
 * sending is held. A list that could not be verified is an alert of its own. Announced politely
 * (role="status") while stale, at once (role="alert") when sending stops or a list is refused.
 */
export function RevocationBanner({ revocation }: { revocation?: RevocationView }) {
  const { t, formatDateTime } = useI18n();
  if (!revocation) return null;
  const { state, nextUpdate, sendingHeldFrom, unverified } = revocation;
  return (
    <>
      {state === 'stale' && nextUpdate !== undefined && sendingHeldFrom !== undefined && (
        <p className="notice warning" role="status" data-testid="revocation-banner" data-state={state}>
          <Icon name="clock" />
          <span>
            {t('revocation.stale', { since: formatDateTime(nextUpdate), heldFrom: formatDateTime(sendingHeldFrom) })}
          </span>
        </p>
      )}
      {state === 'sending_held' && sendingHeldFrom !== undefined && (
        <p className="notice danger" role="alert" data-testid="revocation-banner" data-state={state}>
          <Icon name="alert" />
          <span>
            {t(nextUpdate === undefined ? 'revocation.no-list' : 'revocation.sending-held', {
              since: formatDateTime(sendingHeldFrom),
            })}
          </span>
        </p>
      )}
      {unverified && (
        <p className="notice danger" role="alert" data-testid="revocation-unverified" data-code={unverified.code}>
          <Icon name="shield" />
          <span>{t('revocation.unverified')}</span>
        </p>
      )}
    </>
  );
}
