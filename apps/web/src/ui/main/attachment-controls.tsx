import type { AttachmentView } from '../../messenger/attachment-api';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import type { AttachmentCommand } from './attachment-commands';
import { attachmentProblemKey, formatFileSize, formatPercent, percentDone } from './attachment-format';
import { useTransferProgress, type AttachmentProgressStore } from './attachment-progress';

interface ControlsProps {
  readonly attachment: AttachmentView;
  readonly messageId: string;
  /** The id of the element that shows the file's name: each button is described by it. */
  readonly nameId: string;
  readonly progress: AttachmentProgressStore;
  readonly busy: boolean;
  readonly onCommand: (command: AttachmentCommand) => void;
}

/**
 * A transfer under way: a bar fed by the worker's progress events (indeterminate until the first
 * one), the percentage in words, and Cancel. The bar is not a live region: four updates a second
 * would drown a screen reader; its value is read when it is reached.
 */
function AttachmentTransfer({ attachment, messageId, nameId, progress, busy, onCommand }: ControlsProps) {
  const { t, language } = useI18n();
  const step = useTransferProgress(progress, messageId);
  const percent = step ? percentDone(step.done, step.total) : undefined;
  const uploading = attachment.state === 'uploading';
  return (
    <div className="attachment-transfer">
      <progress
        className="attachment-progress"
        data-testid="attachment-progress"
        max={100}
        {...(percent !== undefined ? { value: percent } : {})}
        aria-label={t(uploading ? 'attachment.progress-upload' : 'attachment.progress-download', {
          name: attachment.name,
        })}
      />
      <span className="attachment-progress-text" data-testid="attachment-progress-text">
        {t(uploading ? 'attachment.uploading' : 'attachment.downloading')}
        {percent !== undefined && ` ${formatPercent(percent, language)}`}
      </span>
      <button
        type="button"
        className="button small"
        data-testid="attachment-cancel"
        aria-describedby={nameId}
        disabled={busy}
        onClick={() => onCommand('cancel')}
      >
        {t('common.cancel')}
      </button>
    </div>
  );
}

/** What can be done with an attachment in its state, or why nothing can. */
export function AttachmentControls(props: ControlsProps) {
  const { t, language } = useI18n();
  const { attachment, nameId, busy, onCommand } = props;
  switch (attachment.state) {
    case 'uploading':
    case 'downloading':
      return <AttachmentTransfer {...props} />;
    case 'available':
      return (
        <button
          type="button"
          className="button small attachment-action"
          data-testid="attachment-download"
          aria-describedby={nameId}
          disabled={busy}
          onClick={() => onCommand('download')}
        >
          <Icon name="download" />
          {t('attachment.download', { size: formatFileSize(attachment.size, language) })}
        </button>
      );
    case 'stored':
    case 'sent':
      return (
        <button
          type="button"
          className="button small attachment-action"
          data-testid="attachment-save"
          aria-describedby={nameId}
          disabled={busy}
          onClick={() => onCommand('save')}
        >
          <Icon name="save" />
          {t('attachment.save')}
        </button>
      );
    case 'expired':
    case 'failed':
      return (
        <p className="attachment-problem" data-testid="attachment-problem">
          <Icon name="alert" />
          <span>{t.unchecked(attachmentProblemKey(attachment))}</span>
        </p>
      );
  }
}
