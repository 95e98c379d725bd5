/**
 * Dragging files over the page (attachment-drag.ts): the drop zone shows for a drag of files and
 * stays while it crosses elements, goes when the drag leaves, ends or drops; a drop is taken on
 * the zone only, and refused elsewhere so that the browser never opens the file in the
 * messenger's place. Drags of text or links are left alone.
 */
import { FileDragTracker, type FileDragEvent } from '../../src/ui/main/attachment-drag';

const ZONE = { id: 'zone' } as unknown as EventTarget;
const LIST = { id: 'conversation list' } as unknown as EventTarget;

/** A drag event over `target` carrying `types`; records whether its default was prevented. */
function drag(target: EventTarget | null, types: string[] = ['Files']) {
  const event = {
    target,
    dataTransfer: { types, dropEffect: 'move' as DataTransfer['dropEffect'] },
    prevented: false as boolean,
    preventDefault() {
      event.prevented = true;
    },
  } satisfies FileDragEvent & { prevented: boolean };
  return event;
}

function tracker() {
  const states: boolean[] = [];
  const tracked = new FileDragTracker(
    (dragging) => states.push(dragging),
    (target) => target === ZONE,
  );
  return { tracked, states };
}

describe('dragging files over the page', () => {
  it('shows the zone once when files come in, and keeps it while the drag crosses elements', () => {
    const { tracked, states } = tracker();
    tracked.enter(drag(LIST));
    tracked.enter(drag(ZONE)); // the zone appeared under the pointer…
    tracked.leave(drag(LIST)); // …and the element below was left
    expect(states).toEqual([true]);
  });

  it('hides the zone when the drag leaves the page (every element entered was left)', () => {
    const { tracked, states } = tracker();
    tracked.enter(drag(LIST));
    tracked.enter(drag(ZONE));
    tracked.leave(drag(LIST));
    tracked.leave(drag(ZONE));
    expect(states).toEqual([true, false]);
  });

  it('hides the zone after a drop, and a stray leave after it (reordered events) changes nothing', () => {
    const { tracked, states } = tracker();
    tracked.enter(drag(ZONE));
    const drop = drag(ZONE);
    tracked.end(drop);
    tracked.leave(drag(ZONE));
    expect(states).toEqual([true, false]);
    expect(drop.prevented).toBe(true);
  });

  it('accepts a drop over the zone as a copy', () => {
    const { tracked } = tracker();
    const over = drag(ZONE);
    tracked.over(over);
    expect(over.prevented).toBe(true);
    expect(over.dataTransfer.dropEffect).toBe('copy');
  });

  it('refuses a drop anywhere else, and cancels a drop that lands there anyway (the browser would open the file)', () => {
    const { tracked } = tracker();
    const over = drag(LIST);
    tracked.over(over);
    expect(over.dataTransfer.dropEffect).toBe('none');
    expect(over.prevented).toBe(true);
    const drop = drag(LIST);
    tracked.end(drop);
    expect(drop.prevented).toBe(true);
  });

  it('leaves a drag of text or a link alone: no zone, nothing prevented', () => {
    const { tracked, states } = tracker();
    const text = drag(ZONE, ['text/plain', 'text/uri-list']);
    tracked.enter(text);
    tracked.over(text);
    tracked.end(text);
    expect(states).toEqual([]);
    expect(text.prevented).toBe(false);
    expect(text.dataTransfer.dropEffect).toBe('move');
  });
});
