/**
 * The earlier versions of an edited message, oldest first, each with when it was written, then
 * the current one. They are kept on this device only (api.ts `edits`): another device of this
 * user, or one that received the message after it was edited, may show fewer.
 */
import type { MessageView } from '../../messenger/api';
import { Dialog } from '../components/dialog';
import { useI18n } from '../i18n-context';

export function EditHistoryDialog({ message, onClose }: { message: MessageView; onClose: () => void }) {
  const { t, formatDateTime } = useI18n();
  const edits = message.edits ?? [];
  return (
    <Dialog title={t('edits.title')} onClose={onClose} testId="edit-history-dialog">
      {edits.length === 0 ? (
        <p className="pane-hint">{t('edits.none')}</p>
      ) : (
        <ol className="edit-history" data-testid="edit-history">
          {edits.map((edit, index) => (
            <li key={index} className="edit-version">
              <p className="edit-version-time">{t('edits.version', { when: formatDateTime(edit.at) })}</p>
              <p className="message-text">{edit.text}</p>
            </li>
          ))}
        </ol>
      )}
      {message.text !== undefined && (
        <div className="edit-version edit-current" data-testid="edit-current">
          <p className="edit-version-time">
            {t('edits.current', { when: formatDateTime(message.editedAt ?? message.sentAt) })}
          </p>
          <p className="message-text">{message.text}</p>
        </div>
      )}
      <p className="hint">{t('edits.only-here')}</p>
      <div className="form-actions">
        <button type="button" className="button" data-autofocus onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </Dialog>
  );
}
