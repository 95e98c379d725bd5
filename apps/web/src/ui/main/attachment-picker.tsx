import { useId, useRef } from 'react';
import { useI18n } from '../i18n-context';
import { Icon } from '../components/icon';
import { pickedFiles, type PickedFiles } from './attachment-input';

/**
 * The composer's "Attach a file" button and the file input it opens. The input itself is out of
 * the tab order and hidden from screen readers: the button is the one control, named and described
 * (one file at a time, the size limit, paste and drop, the caption).
 */
export function AttachmentPicker({
  disabled,
  onPicked,
}: {
  disabled: boolean;
  onPicked: (picked: PickedFiles) => void;
}) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const hintId = useId();
  return (
    <>
      <button
        type="button"
        className="icon-button attach-button"
        data-testid="composer-attach"
        aria-label={t('composer.attach')}
        title={t('composer.attach')}
        aria-describedby={hintId}
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        <Icon name="paperclip" />
      </button>
      <input
        ref={input}
        type="file"
        className="visually-hidden"
        data-testid="composer-file-input"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(event) => {
          const picked = pickedFiles(event.currentTarget.files);
          // Emptied, so that choosing the same file again (after an error) is a change too.
          event.currentTarget.value = '';
          onPicked(picked);
        }}
      />
      <span id={hintId} className="visually-hidden">
        {t('composer.attach-hint')}
      </span>
    </>
  );
}
