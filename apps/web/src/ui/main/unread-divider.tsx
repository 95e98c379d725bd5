/**
 * "N new messages" before the first unread message of a conversation just opened
 * (unread-marker.ts), and the "Jump to first unread" button shown while that divider is out of
 * view. The divider takes the focus after a jump, so a screen reader says where it landed.
 */
import { useEffect, useState, type RefObject } from 'react';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';

export function UnreadDivider({ count, ref }: { count: number; ref: RefObject<HTMLLIElement | null> }) {
  const { t } = useI18n();
  return (
    <li ref={ref} className="unread-divider" data-testid="unread-divider" tabIndex={-1}>
      <span>{t('unread.divider', { count })}</span>
    </li>
  );
}

/**
 * Whether `target` (the divider) shows within `root` (the scroller); false while it is not in the
 * document (its message is on a page not read yet). `key` changes when the element may have.
 */
export function useInView(
  target: RefObject<HTMLElement | null>,
  root: RefObject<HTMLElement | null>,
  key: string | undefined,
): boolean {
  const [inView, setInView] = useState(true);
  useEffect(() => {
    const element = target.current;
    if (!element || !root.current) {
      setInView(false);
      return;
    }
    // Measured now as well, so the button does not flash before the observer's first report.
    const box = element.getBoundingClientRect();
    const area = root.current.getBoundingClientRect();
    setInView(box.bottom > area.top && box.top < area.bottom);
    const observer = new IntersectionObserver((entries) => setInView(entries.some((entry) => entry.isIntersecting)), {
      root: root.current,
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [target, root, key]);
  return inView;
}

export function UnreadJumpButton({ onJump, busy }: { onJump: () => void; busy: boolean }) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      className="button small unread-jump"
      data-testid="unread-jump"
      aria-busy={busy ? true : undefined}
      onClick={onJump}
    >
      <Icon name="back" className="icon-up" />
      <span>{t('unread.jump')}</span>
    </button>
  );
}
