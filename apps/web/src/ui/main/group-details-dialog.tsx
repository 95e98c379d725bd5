import { useId, useState, type FormEvent } from 'react';
import { MAX_SHARED_HISTORY, type ConversationView } from '../../messenger/api';
import { Address } from '../components/address';
import { Avatar } from '../components/avatar';
import { Dialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';
import { checkAddresses } from '../text-limits';
import { GroupSettings } from './group-settings';
import { shortDeviceId } from './safety-number-card';
import { UnapprovedDeviceLabel } from './unapproved-device-label';
import { unapprovedDevices } from './user-key-status';

/** How many of the latest messages "share history" offers (at most MAX_SHARED_HISTORY). */
const SHARE_COUNT = Math.min(50, MAX_SHARED_HISTORY);

/** Members of a group, and adding, removing, sharing recent history and leaving. */
export function GroupDetailsDialog({ conversation, onClose }: { conversation: ConversationView; onClose: () => void }) {
  const { t } = useI18n();
  const { api, refresh } = useMessenger();
  const { run, busy, error, setError } = useAction();
  const [address, setAddress] = useState('');
  const [shared, setShared] = useState<{ name: string; count: number } | undefined>();
  const ids = { address: useId(), members: useId(), add: useId() };

  const act = async (action: () => Promise<void>) => {
    const result = await run(action);
    if (result.ok) await refresh();
    return result.ok;
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const exact = address.trim();
    if (!exact) return;
    const tooLong = checkAddresses([exact]);
    if (tooLong) return setError(tooLong);
    if (await act(() => api.addMember(conversation.id, exact))) setAddress('');
  };

  /** A bounded, signed bundle of the group's last messages for one member (messages.md §5.7). */
  const shareHistory = async (memberAddress: string, name: string) => {
    const result = await run(() => api.shareHistory(conversation.id, memberAddress, SHARE_COUNT));
    if (result.ok) {
      setShared({ name, count: result.value });
      await refresh();
    }
  };

  const group = conversation.group;
  const isAdmin = conversation.active && group?.isAdmin === true;
  const mayAdd = conversation.active && (group === undefined || group.mayAdd);

  const leave = async () => {
    if (await act(() => api.leave(conversation.id))) onClose();
  };

  return (
    <Dialog title={t('details.title')} onClose={onClose} testId="group-details-dialog">
      <p className="dialog-subtitle">{conversation.title}</p>
      <h3 id={ids.members}>{t('details.members')}</h3>
      <ul className="member-list" aria-labelledby={ids.members}>
        {conversation.members.map((member) => (
          <li key={member.address} className="member" data-testid="member" data-address={member.address}>
            <Avatar name={member.displayName || member.address} seed={member.address} small />
            <span className="member-text">
              <span className="member-name">
                {member.displayName || member.address}{' '}
                {member.isSelf && <span className="hint">{t('details.you')}</span>}{' '}
                {member.role === 'admin' && (
                  <span className="badge" data-testid={`admin-badge-${member.address}`}>
                    {t('details.admin')}
                  </span>
                )}
              </span>
              <Address value={member.address} className="member-address" />
              <span className="hint">{t('details.devices', { count: member.devices.length })}</span>
              {unapprovedDevices(member).map((device) => (
                <UnapprovedDeviceLabel
                  key={device.deviceId}
                  name={member.displayName || member.address}
                  isSelf={member.isSelf}
                  deviceId={device.deviceId}
                  deviceNumber={t('safety.device', { id: shortDeviceId(device.deviceId) })}
                />
              ))}
            </span>
            {conversation.active && (
              <button
                type="button"
                className="icon-button"
                data-testid={`share-history-${member.address}`}
                aria-label={
                  member.isSelf
                    ? t('details.share-history-self', { count: SHARE_COUNT })
                    : t('details.share-history', { count: SHARE_COUNT, name: member.displayName || member.address })
                }
                title={
                  member.isSelf
                    ? t('details.share-history-self', { count: SHARE_COUNT })
                    : t('details.share-history', { count: SHARE_COUNT, name: member.displayName || member.address })
                }
                onClick={() => void shareHistory(member.address, member.displayName || member.address)}
                disabled={busy}
              >
                <Icon name="history" />
              </button>
            )}
            {!member.isSelf && isAdmin && (
              <button
                type="button"
                className="icon-button"
                data-testid={`toggle-admin-${member.address}`}
                aria-pressed={member.role === 'admin'}
                aria-label={t(member.role === 'admin' ? 'details.make-member' : 'details.make-admin', {
                  name: member.displayName || member.address,
                })}
                title={t(member.role === 'admin' ? 'details.make-member' : 'details.make-admin', {
                  name: member.displayName || member.address,
                })}
                onClick={() =>
                  void act(() =>
                    api.setRole(conversation.id, member.address, member.role === 'admin' ? 'member' : 'admin'),
                  )
                }
                disabled={busy}
              >
                <Icon name="shield" />
              </button>
            )}
            {!member.isSelf && isAdmin && (
              <button
                type="button"
                className="icon-button"
                data-testid={`remove-member-${member.address}`}
                aria-label={t('details.remove', { name: member.displayName || member.address })}
                title={t('details.remove', { name: member.displayName || member.address })}
                onClick={() => void act(() => api.removeMember(conversation.id, member.address))}
                disabled={busy}
              >
                <Icon name="close" />
              </button>
            )}
          </li>
        ))}
      </ul>
      {shared && (
        <p className="notice" role="status" data-testid="history-shared-notice">
          {t('details.share-history-done', { count: shared.count, name: shared.name })}
        </p>
      )}
      <ErrorMessage error={error} />
      <GroupSettings
        conversation={conversation}
        busy={busy}
        onChange={(settings) => void act(() => api.setGroupSettings(conversation.id, settings))}
      />
      {mayAdd && (
        <form className="form inline-form" onSubmit={add} noValidate autoComplete="off" aria-labelledby={ids.add}>
          <h3 id={ids.add}>{t('details.add')}</h3>
          <div className="inline-row">
            <label htmlFor={ids.address} className="visually-hidden">
              {t('details.add-address')}
            </label>
            <input
              id={ids.address}
              data-testid="add-member-address"
              data-autofocus
              type="email"
              autoComplete="off"
              spellCheck={false}
              placeholder={t('details.add-address')}
              value={address}
              onChange={(event) => setAddress(event.target.value)}
            />
            <button type="submit" className="button" data-testid="add-member-submit" disabled={busy || !address.trim()}>
              {t('details.add-submit')}
            </button>
          </div>
        </form>
      )}
      {conversation.active && (
        <button
          type="button"
          className="button danger leave-button"
          data-testid="leave-conversation"
          onClick={leave}
          disabled={busy}
        >
          {t('details.leave')}
        </button>
      )}
    </Dialog>
  );
}
