/**
 * The actions of one message (message-rules.ts): a button that shows on hover and on keyboard
 * focus, opening a menu (the ARIA menu button pattern: Down, Up, Home and End move, Enter picks,
 * Escape closes and gives the focus back to the button, Tab leaves it).
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { Icon, type IconName } from '../components/icon';
import { useI18n } from '../i18n-context';
import type { MessageActionSet } from './message-rules';

export type MessageAction = keyof MessageActionSet;

const ORDER: readonly { readonly action: MessageAction; readonly icon: IconName }[] = [
  { action: 'reply', icon: 'reply' },
  { action: 'react', icon: 'smile' },
  { action: 'edit', icon: 'edit' },
  { action: 'delete', icon: 'trash' },
];

/** The actions offered, in menu order. */
export function offeredActions(actions: MessageActionSet): MessageAction[] {
  return ORDER.filter((entry) => actions[entry.action]).map((entry) => entry.action);
}

export function MessageActionsMenu({
  actions,
  label,
  triggerRef,
  onAction,
}: {
  actions: MessageActionSet;
  /** The button's name ("Actions for the message from Alex"). */
  label: string;
  /** The menu button, for whoever gives the focus back after an action (the reaction picker). */
  triggerRef: RefObject<HTMLButtonElement | null>;
  onAction: (action: MessageAction) => void;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLUListElement>(null);
  const menuId = useId();
  const offered = offeredActions(actions);

  const items = () => [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
  const close = (focusTrigger: boolean) => {
    setOpen(false);
    if (focusTrigger) triggerRef.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    items()[0]?.focus();
    const outside = (event: PointerEvent) => {
      const target = event.target;
      if (!(target instanceof Node)) return;
      if (menu.current?.contains(target) || triggerRef.current?.contains(target)) return;
      setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open, triggerRef]);

  const onMenuKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const all = items();
    const index = all.indexOf(document.activeElement as HTMLElement);
    const focus = (next: number) => all[(next + all.length) % all.length]?.focus();
    switch (event.key) {
      case 'ArrowDown':
        focus(index + 1);
        break;
      case 'ArrowUp':
        focus(index - 1);
        break;
      case 'Home':
        focus(0);
        break;
      case 'End':
        focus(all.length - 1);
        break;
      case 'Escape':
        event.stopPropagation();
        close(true);
        break;
      case 'Tab':
        setOpen(false);
        return;
      default:
        return;
    }
    event.preventDefault();
  };

  if (offered.length === 0) return null;
  return (
    <div className="message-actions" data-open={open}>
      <button
        ref={triggerRef}
        type="button"
        className="icon-button message-actions-button"
        data-testid="message-actions"
        // Not a tab stop of its own (one per message would stand between the log and the composer):
        // reached with the pointer, or with Enter on the message (message-keys.ts).
        tabIndex={-1}
        aria-label={label}
        title={t('message.actions')}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((current) => !current)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        <Icon name="more" />
      </button>
      {/* Always in the document (hidden while closed), so that aria-controls names it. */}
      <ul
        ref={menu}
        id={menuId}
        className="message-menu"
        role="menu"
        aria-label={label}
        hidden={!open}
        onKeyDown={onMenuKeyDown}
      >
        {ORDER.filter((entry) => actions[entry.action]).map(({ action, icon }) => (
          <li key={action} role="none">
            <button
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={action === 'delete' ? 'message-menu-item danger' : 'message-menu-item'}
              data-testid={`action-${action}`}
              onClick={() => {
                // The reply and edit actions move the focus to the composer; the rest come back here.
                close(action === 'delete');
                onAction(action);
              }}
            >
              <Icon name={icon} />
              <span>{t(`message.action.${action}`)}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
