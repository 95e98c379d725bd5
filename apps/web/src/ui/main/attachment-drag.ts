/**
 * Whether files are being dragged over the page, and what a drop may do where it lands. Counted
 * over dragenter/dragleave, which fire for every element crossed. Anywhere but on the drop zone the
 * drop is refused (dropEffect none) and its default cancelled: a file dropped on a page that does
 * not take it is opened by the browser in the page's place, and the messenger would be gone from
 * the tab.
 */
import { carriesFiles } from './attachment-input';

/** The part of a DragEvent the tracker reads and answers. */
export interface FileDragEvent {
  readonly target: EventTarget | null;
  readonly dataTransfer: { readonly types: ReadonlyArray<string>; dropEffect: DataTransfer['dropEffect'] } | null;
  preventDefault(): void;
}

export class FileDragTracker {
  private depth = 0;

  constructor(
    /** Told when a drag of files starts over the page (true) and when it leaves, ends or drops (false). */
    private readonly onDragging: (dragging: boolean) => void,
    /** Whether an event's target is in the drop zone. */
    private readonly inZone: (target: EventTarget | null) => boolean,
  ) {}

  enter(event: FileDragEvent): void {
    if (!carriesFiles(event.dataTransfer)) return;
    if (this.depth++ === 0) this.onDragging(true);
  }

  over(event: FileDragEvent): void {
    if (!event.dataTransfer || !carriesFiles(event.dataTransfer)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = this.inZone(event.target) ? 'copy' : 'none';
  }

  leave(event: FileDragEvent): void {
    if (!carriesFiles(event.dataTransfer) || this.depth === 0) return;
    if (--this.depth === 0) this.onDragging(false);
  }

  /** A drop (the zone's own handler has taken its files by then) or the end of the drag. */
  end(event: FileDragEvent): void {
    if (carriesFiles(event.dataTransfer)) event.preventDefault();
    if (this.depth === 0) return;
    this.depth = 0;
    this.onDragging(false);
  }
}
