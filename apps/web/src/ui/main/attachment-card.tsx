import { useId, useState } from 'react';
import type { MessageView } from '../../messenger/api';
import type { AttachmentView } from '../../messenger/attachment-api';
import { ErrorMessage } from '../components/error-message';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';
import { runAttachmentCommand, type AttachmentCommand } from './attachment-commands';
import { AttachmentControls } from './attachment-controls';
import { fileTypeLabel, formatFileSize, shownImageType } from './attachment-format';
import { Icon } from '../components/icon';
import { AttachmentImageDialog } from './attachment-image-dialog';
import type { AttachmentProgressStore } from './attachment-progress';
import { AttachmentThumbnail } from './attachment-thumbnail';

/**
 * A file or photo in a message: the sender's thumbnail if there is one (a button that opens the
 * full picture once the file is on this device), else a file icon; the name (cut to one line on
 * screen, whole in the title and for screen readers), the size and the type; then what can be done
 * in the attachment's state (attachment-controls.tsx).
 */
export function AttachmentCard({
  message,
  attachment,
  progress,
}: {
  message: Pick<MessageView, 'id' | 'conversationId'>;
  attachment: AttachmentView;
  progress: AttachmentProgressStore;
}) {
  const { t, language } = useI18n();
  const { api } = useMessenger();
  const { run, busy, error } = useAction();
  const [viewing, setViewing] = useState(false);
  const nameId = useId();
  const { name, thumbnail, state } = attachment;
  const size = formatFileSize(attachment.size, language);
  const type = fileTypeLabel(name, attachment.type);
  const imageType = shownImageType(attachment);
  const openable = imageType !== undefined && (state === 'stored' || state === 'sent');

  const onCommand = (command: AttachmentCommand) =>
    void run(() =>
      runAttachmentCommand(api, command, { conversationId: message.conversationId, id: message.id, name }),
    );

  return (
    <div className="attachment" data-testid="attachment" data-state={state}>
      {thumbnail &&
        (openable ? (
          <button
            type="button"
            className="attachment-preview"
            data-testid="attachment-open-image"
            aria-label={t('attachment.open-image', { name })}
            onClick={() => setViewing(true)}
          >
            <AttachmentThumbnail thumbnail={thumbnail} name={name} />
          </button>
        ) : (
          <div className="attachment-preview">
            <AttachmentThumbnail thumbnail={thumbnail} name={name} />
          </div>
        ))}
      <div className="attachment-file">
        {!thumbnail && (
          <span className="attachment-icon">
            <Icon name="file" />
          </span>
        )}
        <span className="attachment-text">
          <span id={nameId} className="attachment-name" title={name} data-testid="attachment-name">
            {name}
          </span>
          <span className="attachment-details" data-testid="attachment-details">
            {type ? t('attachment.details', { size, type }) : size}
          </span>
        </span>
      </div>
      <AttachmentControls
        attachment={attachment}
        messageId={message.id}
        nameId={nameId}
        progress={progress}
        busy={busy}
        onCommand={onCommand}
      />
      <ErrorMessage error={error} />
      {viewing && imageType && (
        <AttachmentImageDialog
          conversationId={message.conversationId}
          messageId={message.id}
          name={name}
          type={imageType}
          onClose={() => setViewing(false)}
        />
      )}
    </div>
  );
}
