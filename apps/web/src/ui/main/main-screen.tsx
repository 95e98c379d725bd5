import { useEffect, useMemo, useRef, useState } from 'react';
import type { SearchResultView, ThisDeviceView } from '../../messenger/api';
import { Address } from '../components/address';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { LanguageSwitcher } from '../components/language-switcher';
import { connectionStatus, sortConversations } from '../conversation-format';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';
import { useMessageNotifications, useNotificationSettings } from '../notifications-browser';
import { ConversationList } from './conversation-list';
import { ConversationPane } from './conversation-pane';
import { DeviceLinkOfferPanel } from './device-link-offer-panel';
import { LinkDeviceDialog } from './link-device-dialog';
import { NewChatDialog, NewGroupDialog } from './new-conversation-dialogs';
import { NotificationSettings } from './notification-settings';
import { PasskeyDialog } from './passkey-dialog';
import { PrivacySettings } from './privacy-settings';
import { RelayIndicator } from './relay-indicator';
import { RevocationBanner } from './revocation-banner';
import { SearchPanel } from './search-panel';
import type { RevealTarget } from './search-reveal';
import { TrustAlerts } from './trust-alerts';

/**
 * The unlocked messenger: the conversation list and the open conversation, side by side on a wide
 * screen; on a narrow one the list, or the conversation with a back button.
 */
export function MainScreen({ device }: { device: ThisDeviceView }) {
  const { t } = useI18n();
  const { api, snapshot, refresh } = useMessenger();
  const lock = useAction();
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [dialog, setDialog] = useState<'new-chat' | 'new-group' | 'passkey' | 'link-device' | undefined>();
  const conversations = useMemo(() => sortConversations(snapshot.conversations), [snapshot.conversations]);
  const selected = conversations.find((conversation) => conversation.id === selectedId);
  const sidebar = useRef<HTMLElement>(null);
  /** The conversation "Back" left (narrow screens), whose list item gets the focus back. */
  const leftConversation = useRef<string | undefined>(undefined);
  /** The message last chosen in search, brought into view when its conversation opens. */
  const [reveal, setReveal] = useState<RevealTarget | undefined>();
  const revealRequests = useRef(0);

  useEffect(() => {
    if (selectedId !== undefined && !selected) setSelectedId(undefined);
  }, [selected, selectedId]);

  useEffect(() => {
    const left = leftConversation.current;
    if (selectedId !== undefined || left === undefined) return;
    leftConversation.current = undefined;
    const item = sidebar.current?.querySelector<HTMLElement>(
      `[data-testid="conversation-item"][data-conversation-id="${CSS.escape(left)}"]`,
    );
    (item ?? sidebar.current?.querySelector<HTMLElement>('[data-testid="conversation-list"]'))?.focus();
  }, [selectedId]);

  const back = () => {
    leftConversation.current = selectedId;
    setSelectedId(undefined);
  };

  const open = (conversationId: string) => {
    setDialog(undefined);
    setSelectedId(conversationId);
  };

  /** Opened from the list: a message chosen earlier in search is not brought into view again. */
  const openFromList = (conversationId: string) => {
    setReveal(undefined);
    setSelectedId(conversationId);
  };

  const openResult = (result: SearchResultView) => {
    revealRequests.current += 1;
    setReveal({ conversationId: result.conversationId, messageId: result.messageId, request: revealRequests.current });
    open(result.conversationId);
  };

  const notificationSettings = useNotificationSettings();
  // A clicked notification opens its conversation as the list or a new chat would.
  useMessageNotifications(snapshot, selected?.id, notificationSettings.showSender, open);

  return (
    <div className="messenger" data-view={selected ? 'conversation' : 'list'} data-testid="main-screen">
      <aside className="sidebar" ref={sidebar}>
        <header className="sidebar-header">
          <div className="sidebar-top">
            <h1 className="brand">
              <span className="brand-mark" aria-hidden="true">
                OD
              </span>
              <span className="brand-name">{t('app.name')}</span>
            </h1>
            {device.approval === 'approved' && (
              <button
                type="button"
                className="icon-button"
                data-testid="link-device-button"
                aria-label={t('main.link-device')}
                title={t('main.link-device')}
                onClick={() => setDialog('link-device')}
              >
                <Icon name="devices" />
              </button>
            )}
            <button
              type="button"
              className="icon-button"
              data-testid="passkey-button"
              data-passkey={snapshot.passkey ? 'on' : 'off'}
              aria-label={t('main.passkey')}
              title={t('main.passkey')}
              onClick={() => setDialog('passkey')}
            >
              <Icon name="key" />
            </button>
            <button
              type="button"
              className="icon-button"
              data-testid="lock-button"
              aria-label={t('main.lock')}
              title={t('main.lock')}
              disabled={lock.busy}
              onClick={() =>
                void lock
                  .run(() => api.lock())
                  .then(async (result) => {
                    if (result.ok) await refresh();
                  })
              }
            >
              <Icon name="lock" />
            </button>
          </div>
          <div className="sidebar-status">
            <p className="this-device">
              <span className="visually-hidden">{t('main.this-device')} </span>
              <span className="this-device-name">{device.displayName}</span>{' '}
              <Address value={device.address} className="this-device-address" testId="device-address" />
            </p>
            <RelayIndicator relays={snapshot.relays} pending={snapshot.pendingOutgoing} reachable={device.reachable} />
          </div>
          {connectionStatus(snapshot.relays, device.reachable) === 'finishing' && (
            <p className="hint" data-testid="not-reachable">
              {t('main.not-reachable')}
            </p>
          )}
          <RevocationBanner revocation={snapshot.revocation} />
          <TrustAlerts device={device} />
          {device.approval === 'unapproved' && <DeviceLinkOfferPanel device={device} />}
          <ErrorMessage error={lock.error} />
          <div className="sidebar-actions">
            <button
              type="button"
              className="button primary"
              data-testid="new-chat-button"
              onClick={() => setDialog('new-chat')}
            >
              <Icon name="message" />
              {t('main.new-chat')}
            </button>
            <button
              type="button"
              className="button"
              data-testid="new-group-button"
              onClick={() => setDialog('new-group')}
            >
              <Icon name="users" />
              {t('main.new-group')}
            </button>
          </div>
        </header>
        <SearchPanel conversations={conversations} onOpen={openResult}>
          <nav className="sidebar-list" aria-label={t('main.conversations')}>
            <ConversationList conversations={conversations} selectedId={selected?.id} onSelect={openFromList} />
          </nav>
        </SearchPanel>
        <footer className="sidebar-footer">
          <NotificationSettings settings={notificationSettings} />
          <PrivacySettings preferences={snapshot.preferences} />
          <LanguageSwitcher />
        </footer>
      </aside>

      <main className="pane">
        {selected ? (
          <ConversationPane
            key={selected.id}
            conversation={selected}
            onBack={back}
            reveal={reveal?.conversationId === selected.id ? reveal : undefined}
          />
        ) : (
          <p className="pane-hint pane-empty">{t('main.pick-conversation')}</p>
        )}
      </main>

      {dialog === 'new-chat' && <NewChatDialog onClose={() => setDialog(undefined)} onStarted={open} />}
      {dialog === 'new-group' && <NewGroupDialog onClose={() => setDialog(undefined)} onStarted={open} />}
      {dialog === 'passkey' && <PasskeyDialog device={device} onClose={() => setDialog(undefined)} />}
      {dialog === 'link-device' && <LinkDeviceDialog onClose={() => setDialog(undefined)} />}
    </div>
  );
}
