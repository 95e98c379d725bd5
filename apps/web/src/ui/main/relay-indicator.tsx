import type { RelayView } from '../../messenger/api';
import { summariseRelays } from '../conversation-format';
import { useI18n } from '../i18n-context';

/** Online / connecting / offline across the relays, and how many messages wait in the outbox. */
export function RelayIndicator({ relays, pending }: { relays: readonly RelayView[]; pending: number }) {
  const { t, tp } = useI18n();
  const summary = summariseRelays(relays);
  const status = t(`relay.${summary}`);
  const details = relays.map((relay) => `${new URL(relay.url).host}: ${t(`relay.${relay.status === 'refused' ? 'offline' : relay.status}`)}${relay.detail ? ` (${relay.detail})` : ''}`);
  return (
    <div className="relay-status" data-testid="relay-status" data-status={summary} role="status" title={details.join('\n') || undefined}>
      <span className="relay-dot" aria-hidden="true" />
      <span className="visually-hidden">{t('relay.label', { status })}</span>
      <span aria-hidden="true">{status}</span>
      {pending > 0 && (
        <span className="relay-pending" data-testid="pending-outgoing">
          <span aria-hidden="true">{pending}</span>
          <span className="visually-hidden">{tp('relay.pending', pending)}</span>
        </span>
      )}
    </div>
  );
}
