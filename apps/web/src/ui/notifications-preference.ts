/**
 * The notification settings of this device: the browser's permission, and whether a notification
 * may name the sender. The latter is a device preference kept in localStorage, like the language
 * (opendescent.language): it is not a secret, and it must be readable before the vault is unlocked.
 * It is off by default because the system keeps notifications outside the encrypted store.
 */
import type { NotificationPermissionState } from './notifications';

export const SHOW_SENDER_STORAGE_KEY = 'opendescent.notifications.showSender';

/** The permission as the Notification class reports it, or 'unsupported' where there is none. */
export function notificationPermission(
  NotificationClass: { readonly permission: NotificationPermission } | undefined,
): NotificationPermissionState {
  return NotificationClass?.permission ?? 'unsupported';
}

/** True only when the person turned it on; anything else stored (or storage disabled) is off. */
export function readShowSender(storage: Pick<Storage, 'getItem'> | undefined): boolean {
  try {
    return storage?.getItem(SHOW_SENDER_STORAGE_KEY) === 'true';
  } catch {
    return false;
  }
}

/** Stores the choice; returns false when storage refused it (it then lasts as long as the page). */
export function writeShowSender(storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined, show: boolean): boolean {
  try {
    if (!storage) return false;
    if (show) storage.setItem(SHOW_SENDER_STORAGE_KEY, 'true');
    else storage.removeItem(SHOW_SENDER_STORAGE_KEY);
    return true;
  } catch {
    return false;
  }
}
