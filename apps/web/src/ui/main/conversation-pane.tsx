import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { DISAPPEARING_CHOICES, type ConversationView } from '../../messenger/api';
import { ConversationStore, useConversation } from '../conversation-store';
import { Address } from '../components/address';
import { Avatar } from '../components/avatar';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { membersWithChangedKeys } from '../conversation-format';
import { useI18n } from '../i18n-context';
import { uiErrorFrom, useAction, useMessenger, type UiError } from '../messenger-context';
import { Composer } from './composer';
import type { ComposerMode } from './composer-mode';
import { GroupDetailsDialog } from './group-details-dialog';
import type { MessageHandlers } from './message-item';
import { MessageList } from './message-list';
import { lastEditableMessage } from './message-rules';
import { NotifyLevelSelect } from './notify-level-select';
import { SafetyNumbersDialog } from './safety-numbers-dialog';
import { useRevealMessage, type RevealTarget } from './search-reveal';
import { TypingIndicator } from './typing-indicator';
import { unreadMarkAtOpening, useUnreadJump } from './unread-marker';
import { UserKeyChangedBanner } from './user-key-changed-banner';
import { membersWithChangedUserKey } from './user-key-status';

/**
 * The open conversation's messages: its newest page, then older pages as the list is scrolled up,
 * kept current by the worker's deltas (conversation-store.ts, decision 0012).
 */
function useMessages(conversationId: string) {
  const { api, subscribe } = useMessenger();
  const store = useMemo(() => new ConversationStore(api), [api]);
  useEffect(() => subscribe((event) => store.onEvent(event)), [store, subscribe]);
  const state = useConversation(store, conversationId);
  const error = useMemo<UiError | undefined>(() => (state.error ? uiErrorFrom(state.error) : undefined), [state.error]);
  const messages = state.loading && state.messages.length === 0 ? undefined : state.messages;
  return {
    messages,
    error,
    hasMore: state.hasMore,
    loading: state.loading,
    failed: state.error !== undefined,
    loadOlder: state.loadOlder,
  };
}

/** Read while visible: marks the conversation read when it has unread messages and the page is shown. */
function useMarkRead(conversation: ConversationView, loaded: boolean) {
  const { api } = useMessenger();
  useEffect(() => {
    if (!loaded || conversation.unread === 0) return;
    const mark = () => {
      if (document.visibilityState === 'visible') api.markRead(conversation.id).catch(() => undefined);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [api, conversation.id, conversation.unread, loaded]);
}

function DisappearingSelect({ conversation }: { conversation: ConversationView }) {
  const { t, formatDuration } = useI18n();
  const { api, refresh } = useMessenger();
  const { run, busy, error } = useAction();
  const id = useId();
  const current = conversation.disappearAfterSeconds;
  const choices: (number | null)[] = [...DISAPPEARING_CHOICES];
  if (current !== null && !choices.includes(current)) choices.push(current);
  const label = (seconds: number | null) => (seconds === null ? t('disappearing.off') : formatDuration(seconds));

  return (
    <div className="disappearing" data-on={current !== null}>
      <label htmlFor={id} title={t('disappearing.label')}>
        <Icon name="timer" />
        <span className="visually-hidden">{t('disappearing.label')}</span>
      </label>
      <select
        id={id}
        data-testid="disappearing-select"
        aria-label={t('disappearing.label')}
        value={current === null ? 'off' : String(current)}
        disabled={busy || !conversation.active || conversation.group?.isAdmin === false}
        onChange={(event) => {
          const seconds = event.target.value === 'off' ? null : Number(event.target.value);
          void run(() => api.setDisappearing(conversation.id, seconds)).then(async (result) => {
            if (result.ok) await refresh();
          });
        }}
      >
        {choices.map((seconds) => (
          <option key={seconds ?? 'off'} value={seconds === null ? 'off' : String(seconds)}>
            {label(seconds)}
          </option>
        ))}
      </select>
      {error && <ErrorMessage error={error} />}
    </div>
  );
}

/**
 * The message to bring into view: the last one chosen in search, or the original of a quote
 * followed (those get negative requests, so the two never collide); a quote also moves the focus.
 */
function useRevealTarget(reveal: RevealTarget | undefined, conversationId: string) {
  const [target, setTarget] = useState<RevealTarget | undefined>(reveal);
  const quotes = useRef(0);
  useEffect(() => {
    if (reveal) setTarget(reveal);
  }, [reveal]);
  const openQuote = useCallback(
    (messageId: string) => {
      quotes.current += 1;
      setTarget({ conversationId, messageId, request: -quotes.current });
    },
    [conversationId],
  );
  return { target, openQuote, fromQuote: target !== undefined && target.request < 0 };
}

export function ConversationPane({
  conversation,
  onBack,
  reveal,
}: {
  conversation: ConversationView;
  onBack: () => void;
  /** A message chosen in search, to bring into view (search-reveal.ts). */
  reveal?: RevealTarget | undefined;
}) {
  const { t } = useI18n();
  const { snapshot } = useMessenger();
  const [dialog, setDialog] = useState<'details' | 'safety' | undefined>();
  const [mode, setMode] = useState<ComposerMode | undefined>();
  const conversationMessages = useMessages(conversation.id);
  const { messages, error, hasMore, loadOlder } = conversationMessages;
  const { target, openQuote, fromQuote } = useRevealTarget(reveal, conversation.id);
  const highlight = useRevealMessage(target, conversationMessages);
  // Taken once, as the conversation opens: markRead moves lastReadAt right after.
  const [unreadMark] = useState(() => unreadMarkAtOpening(conversation));
  const divider = useRef<HTMLLIElement>(null);
  const unreadJump = useUnreadJump(unreadMark, conversationMessages, () => {
    divider.current?.scrollIntoView({ block: 'start' });
    divider.current?.focus({ preventScroll: true });
  });
  useMarkRead(conversation, messages !== undefined);
  const handlers = useMemo<MessageHandlers>(
    () => ({
      reply: (message) => setMode({ kind: 'reply', message }),
      edit: (message) => setMode({ kind: 'edit', message }),
      openQuote,
    }),
    [openQuote],
  );
  // The message answered or edited was deleted for everyone meanwhile: nothing left to answer or edit.
  const modeGone = mode !== undefined && messages?.some((m) => m.id === mode.message.id && m.deletedAt !== undefined);
  useEffect(() => {
    if (modeGone) setMode(undefined);
  }, [modeGone]);
  const changed = membersWithChangedKeys(conversation);
  const userKeyChanged = membersWithChangedUserKey(conversation);
  const peer = conversation.kind === 'direct' ? conversation.members.find((member) => !member.isSelf) : undefined;
  const subtitle =
    conversation.kind === 'group'
      ? t('conversation.members', { count: conversation.members.length })
      : peer && <Address value={peer.address} />;
  const selfAddress = snapshot.device?.address;

  return (
    <section
      className="conversation"
      aria-labelledby="conversation-title"
      data-testid="conversation"
      data-conversation-id={conversation.id}
    >
      <header className="conversation-header">
        <button type="button" className="icon-button back-button" onClick={onBack} aria-label={t('common.back')}>
          <Icon name="back" />
        </button>
        <Avatar name={conversation.title} seed={conversation.id} group={conversation.kind === 'group'} />
        <div className="conversation-heading">
          <h2 id="conversation-title" data-testid="conversation-title">
            {conversation.title}
          </h2>
          {subtitle && <p className="conversation-subtitle">{subtitle}</p>}
          {/* Discreet: how messages leave now, direct to the other devices or through the relay (direct.md §6). */}
          <p className="conversation-path" data-testid="conversation-path" data-path={conversation.path}>
            {t(`conversation.path-${conversation.path}`)}
          </p>
        </div>
        <div className="conversation-actions">
          <NotifyLevelSelect conversation={conversation} />
          <DisappearingSelect conversation={conversation} />
          <button
            type="button"
            className="icon-button"
            data-testid="safety-numbers-button"
            aria-label={t('conversation.safety-numbers')}
            title={t('conversation.safety-numbers')}
            onClick={() => setDialog('safety')}
          >
            <Icon name="shield" />
          </button>
          {conversation.kind === 'group' && (
            <button
              type="button"
              className="icon-button"
              data-testid="group-details-button"
              aria-label={t('conversation.details')}
              title={t('conversation.details')}
              onClick={() => setDialog('details')}
            >
              <Icon name="info" />
            </button>
          )}
        </div>
      </header>

      {changed.map((member) => (
        <div key={member.address} className="banner warning" role="alert" data-testid="key-changed-banner">
          <Icon name="alert" />
          <span>{t('conversation.key-changed', { name: member.displayName || member.address })}</span>
          <button type="button" className="button small" onClick={() => setDialog('safety')}>
            {t('conversation.check')}
          </button>
        </div>
      ))}
      {userKeyChanged.map((member) => (
        <UserKeyChangedBanner key={member.address} member={member} onCompare={() => setDialog('safety')} />
      ))}

      <ErrorMessage error={error} />
      <MessageList
        conversation={conversation}
        messages={messages}
        {...(selfAddress ? { selfAddress } : {})}
        {...(hasMore ? { onReachTop: loadOlder } : {})}
        highlight={highlight}
        focusHighlight={fromQuote}
        handlers={handlers}
        unread={unreadMark && { mark: unreadMark, dividerRef: divider, ...unreadJump }}
      />
      <TypingIndicator conversation={conversation} selfAddress={selfAddress} />

      {conversation.active && conversation.group?.mayPost === false ? (
        <p className="inactive-notice" data-testid="announcement-only-notice">
          {t('conversation.announcement-only')}
        </p>
      ) : conversation.active ? (
        <Composer
          conversation={conversation}
          mode={mode}
          onModeChange={setMode}
          lastEditable={() => lastEditableMessage(messages ?? [], Date.now())}
        />
      ) : (
        <p className="inactive-notice" data-testid="conversation-inactive">
          {t('conversation.inactive')}
        </p>
      )}

      {dialog === 'details' && <GroupDetailsDialog conversation={conversation} onClose={() => setDialog(undefined)} />}
      {dialog === 'safety' && <SafetyNumbersDialog conversation={conversation} onClose={() => setDialog(undefined)} />}
    </section>
  );
}
