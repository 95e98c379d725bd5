import { useEffect, useState, type Ref, type RefObject } from 'react';
import { useI18n } from '../i18n-context';
import { Icon } from '../components/icon';
import { FileDragTracker } from './attachment-drag';
import { droppedFiles, type PickedFiles } from './attachment-input';

/** Whether files are being dragged over the page, from the window's drag events (attachment-drag.ts). */
export function useFileDrag(zone: RefObject<HTMLElement | null>): boolean {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    const tracker = new FileDragTracker(
      setDragging,
      (target) => target instanceof Node && zone.current?.contains(target) === true,
    );
    const enter = (event: DragEvent) => tracker.enter(event);
    const over = (event: DragEvent) => tracker.over(event);
    const leave = (event: DragEvent) => tracker.leave(event);
    const end = (event: DragEvent) => tracker.end(event);
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', end);
    window.addEventListener('dragend', end);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', end);
      window.removeEventListener('dragend', end);
    };
  }, [zone]);
  return dragging;
}

/**
 * The composer's drop target, shown over the whole conversation while files are dragged over the
 * page (the composer announces it in its status region): big, in words, and the only place a drop
 * is taken.
 */
export function AttachmentDropOverlay({
  zone,
  onDropped,
}: {
  zone?: Ref<HTMLDivElement>;
  onDropped?: (picked: PickedFiles) => void;
}) {
  const { t } = useI18n();
  return (
    <div
      ref={zone}
      className="attachment-drop-zone"
      data-testid="attachment-drop-zone"
      onDragOver={(event) => event.preventDefault()}
      onDrop={(event) => {
        event.preventDefault();
        onDropped?.(droppedFiles(event.dataTransfer));
      }}
    >
      <Icon name="paperclip" />
      <p>{t('composer.drop-here')}</p>
    </div>
  );
}
