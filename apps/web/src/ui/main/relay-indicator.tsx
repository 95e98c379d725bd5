import type { RelayView } from '../../messenger/api';
import { connectionStatus } from '../conversation-format';
import { useI18n } from '../i18n-context';

/**
 * One status at a time: offline, connecting, finishing setup (online, but colleagues cannot reach
 * this device yet) or connected; and how many messages wait in the outbox.
 */
export function RelayIndicator({
  relays,
  pending,
  reachable,
}: {
  relays: readonly RelayView[];
  pending: number;
  reachable: boolean;
}) {
  const { t } = useI18n();
  const summary = connectionStatus(relays, reachable);
  const status = t(`relay.${summary}`);
  const details = relays.map(
    (relay) =>
      `${new URL(relay.url).host}: ${t(`relay.${relay.status === 'refused' ? 'offline' : relay.status}`)}${relay.detail ? ` (${relay.detail})` : ''}`,
  );
  return (
    <div
      className="relay-status"
      data-testid="relay-status"
      data-status={summary}
      role="status"
      title={details.join('\n') || undefined}
    >
      <span className="relay-dot" aria-hidden="true" />
      <span className="visually-hidden">{t('relay.label', { status })}</span>
      <span aria-hidden="true">{status}</span>
      {pending > 0 && (
        <span className="relay-pending" data-testid="pending-outgoing">
          <span aria-hidden="true">{pending}</span>
          <span className="visually-hidden">{t('relay.pending', { count: pending })}</span>
        </span>
      )}
    </div>
  );
}
