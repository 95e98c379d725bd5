import { useEffect, useState } from 'react';
import { Dialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { useI18n } from '../i18n-context';
import { uiErrorFrom, useMessenger, type UiError } from '../messenger-context';
import { useObjectUrl } from './attachment-thumbnail';

/**
 * A received or sent picture at full size, decrypted by the worker when the dialog opens. Its
 * object URL lives as long as the dialog (useObjectUrl revokes it on close). `type` is a raster
 * type from attachment-format.ts `shownImageType`: the bytes are re-typed with it, never with
 * whatever the sender declared.
 */
export function AttachmentImageDialog({
  conversationId,
  messageId,
  name,
  type,
  onClose,
}: {
  conversationId: string;
  messageId: string;
  name: string;
  type: string;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { api } = useMessenger();
  const [image, setImage] = useState<Blob | undefined>();
  const [error, setError] = useState<UiError | undefined>();

  useEffect(() => {
    let current = true;
    api.openAttachment(conversationId, messageId).then(
      (file) => {
        if (current) setImage(new Blob([file], { type }));
      },
      (caught: unknown) => {
        if (current) setError(uiErrorFrom(caught));
      },
    );
    return () => {
      current = false;
    };
  }, [api, conversationId, messageId, type]);

  const url = useObjectUrl(image);

  return (
    <Dialog title={name} onClose={onClose} testId="attachment-image-dialog">
      <ErrorMessage error={error} />
      {url ? (
        <img className="attachment-full-image" data-testid="attachment-full-image" src={url} alt={name} />
      ) : (
        !error && (
          <p className="pane-hint" role="status">
            {t('attachment.opening')}
          </p>
        )
      )}
    </Dialog>
  );
}
