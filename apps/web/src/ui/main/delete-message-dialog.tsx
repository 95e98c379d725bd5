/**
 * Confirming "Delete for everyone": what it does (every device of every member, this user's
 * included), that it cannot be undone, and what it cannot do (devices offline now delete it when
 * they come back; someone may have read or copied it already). The dialog stays open on an error.
 */
import { Dialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';

export function DeleteMessageDialog({
  conversationId,
  messageId,
  onClose,
  onDeleted,
}: {
  conversationId: string;
  messageId: string;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const { t } = useI18n();
  const { api } = useMessenger();
  const { run, busy, error } = useAction();

  const confirm = async () => {
    const result = await run(() => api.deleteForEveryone(conversationId, messageId));
    if (result.ok) onDeleted();
  };

  return (
    <Dialog title={t('delete.title')} onClose={onClose} testId="delete-message-dialog">
      <p>{t('delete.body')}</p>
      <p className="hint">{t('delete.offline')}</p>
      <ErrorMessage error={error} />
      <div className="form-actions">
        <button type="button" className="button" data-autofocus data-testid="cancel-delete" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="button danger"
          data-testid="confirm-delete"
          disabled={busy}
          onClick={() => void confirm()}
        >
          {busy ? t('common.working') : t('delete.confirm')}
        </button>
      </div>
    </Dialog>
  );
}
