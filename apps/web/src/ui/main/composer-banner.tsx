/**
 * Above the composer while it answers or edits a message: "Replying to Alex" with the start of
 * Alex's message, or "Editing message"; the close button (or Escape in the field) cancels.
 */
import type { ConversationView } from '../../messenger/api';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import type { ComposerMode } from './composer-mode';
import { senderName } from './message-names';
import { messageSnippet } from './message-rules';

export function ComposerBanner({
  id,
  mode,
  conversation,
  onCancel,
}: {
  /** Named by the field's aria-describedby: the mode is read out with it. */
  id: string;
  mode: ComposerMode;
  conversation: ConversationView;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const reply = mode.kind === 'reply';
  const heading = !reply
    ? t('composer.editing')
    : mode.message.mine
      ? t('composer.replying-to-self')
      : t('composer.replying-to', { name: senderName(mode.message, conversation) });
  return (
    <div className="composer-banner" data-testid={reply ? 'composer-reply' : 'composer-edit'}>
      <Icon name={reply ? 'reply' : 'edit'} />
      <p id={id} className="composer-banner-text">
        <strong>{heading}</strong>
        {reply && (
          <>
            <span className="visually-hidden">: </span>
            <span className="composer-banner-snippet" data-testid="composer-reply-snippet">
              {messageSnippet(mode.message)}
            </span>
          </>
        )}
      </p>
      <button
        type="button"
        className="icon-button"
        data-testid={reply ? 'cancel-reply' : 'cancel-edit'}
        aria-label={reply ? t('composer.cancel-reply') : t('composer.cancel-edit')}
        title={reply ? t('composer.cancel-reply') : t('composer.cancel-edit')}
        onClick={onCancel}
      >
        <Icon name="close" />
      </button>
    </div>
  );
}
