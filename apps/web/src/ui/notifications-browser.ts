/**
 * Notifications wired to the browser and to React: the real environment of MessageNotifier
 * (document, window, Notification), the settings' state, and the hook the main screen mounts.
 * Permission is only ever asked from requestPermission, which the "Turn on notifications" button
 * calls: a click, never the first load (browsers penalise, and people refuse, unprompted asks).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ClientSnapshot } from '../messenger/api';
import { useI18n } from './i18n-context';
import { useMessenger } from './messenger-context';
import type { NotificationPermissionState } from './notifications';
import { MessageNotifier, type NotifierEnvironment } from './notifications-notifier';
import { notificationPermission, readShowSender, writeShowSender } from './notifications-preference';

function notificationClass(): typeof Notification | undefined {
  return typeof Notification === 'undefined' ? undefined : Notification;
}

function storage(): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.localStorage;
  } catch {
    return undefined; // storage disabled: the settings last as long as the page
  }
}

export const browserNotifierEnvironment: NotifierEnvironment = {
  notificationClass,
  now: () => Date.now(),
  pageInView: () => document.visibilityState === 'visible' && document.hasFocus(),
  focusWindow: () => window.focus(),
  randomTag: () => crypto.randomUUID(),
};

export interface NotificationSettingsState {
  readonly permission: NotificationPermissionState;
  /** Asks the browser (from a click: browsers require a user gesture). */
  requestPermission(): Promise<void>;
  readonly showSender: boolean;
  setShowSender(show: boolean): void;
}

/** The permission, kept current when it changes in the browser's settings, and the sender setting. */
export function useNotificationSettings(): NotificationSettingsState {
  const [permission, setPermission] = useState(() => notificationPermission(notificationClass()));
  const [showSender, setShowSenderState] = useState(() => readShowSender(storage()));

  useEffect(() => {
    const reread = () => setPermission(notificationPermission(notificationClass()));
    // Safari has no permission query for notifications: coming back to the page rereads it.
    window.addEventListener('focus', reread);
    let status: PermissionStatus | undefined;
    let stopped = false;
    navigator.permissions?.query({ name: 'notifications' }).then(
      (found) => {
        if (stopped) return;
        status = found;
        status.addEventListener('change', reread);
      },
      () => undefined,
    );
    return () => {
      stopped = true;
      window.removeEventListener('focus', reread);
      status?.removeEventListener('change', reread);
    };
  }, []);

  const requestPermission = useCallback(async () => {
    const NotificationClass = notificationClass();
    if (!NotificationClass) return;
    try {
      await NotificationClass.requestPermission();
    } catch {
      // a browser that refuses to ask leaves the permission as it was
    }
    setPermission(notificationPermission(NotificationClass));
  }, []);

  const setShowSender = useCallback((show: boolean) => {
    setShowSenderState(show);
    writeShowSender(storage(), show);
  }, []);

  return { permission, requestPermission, showSender, setShowSender };
}

/**
 * Notifications for the unlocked messenger: follows the worker's deltas and the snapshot, closes a
 * conversation's notification once `openedId` is that conversation, and everything on unmount (a
 * locked vault shows no main screen).
 */
export function useMessageNotifications(
  snapshot: ClientSnapshot,
  openedId: string | undefined,
  showSender: boolean,
  openConversation: (conversationId: string) => void,
): void {
  const { subscribe } = useMessenger();
  const { t, language } = useI18n();
  const latest = useRef({ t, language, showSender, openConversation });
  useEffect(() => {
    latest.current = { t, language, showSender, openConversation };
  }, [t, language, showSender, openConversation]);

  const notifier = useMemo(
    () =>
      new MessageNotifier(browserNotifierEnvironment, {
        wording: () => ({
          t: latest.current.t,
          language: latest.current.language,
          showSender: latest.current.showSender,
        }),
        openConversation: (conversationId) => latest.current.openConversation(conversationId),
      }),
    [],
  );

  useEffect(() => subscribe((event) => notifier.onEvent(event)), [notifier, subscribe]);
  useEffect(() => notifier.settle(snapshot.conversations), [notifier, snapshot.conversations]);
  useEffect(() => {
    if (openedId !== undefined) notifier.dismiss(openedId);
  }, [notifier, openedId]);
  useEffect(() => {
    const recheck = () => notifier.recheck();
    window.addEventListener('focus', recheck);
    document.addEventListener('visibilitychange', recheck);
    return () => {
      window.removeEventListener('focus', recheck);
      document.removeEventListener('visibilitychange', recheck);
      notifier.dismissAll();
    };
  }, [notifier]);
}
