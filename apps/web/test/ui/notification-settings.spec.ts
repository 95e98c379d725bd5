/**
 * The notifications control as the server renders it (no effects run, so the browser is never
 * asked): one state per permission, nothing where the browser has no notifications, placed in the
 * main screen's sidebar; and the sender setting as it is stored on the device.
 */
import { createElement } from 'react';
import { NotificationSettings } from '../../src/ui/main/notification-settings';
import { MainScreen } from '../../src/ui/main/main-screen';
import type { NotificationPermissionState } from '../../src/ui/notifications';
import type { NotificationSettingsState } from '../../src/ui/notifications-browser';
import {
  notificationPermission,
  readShowSender,
  SHOW_SENDER_STORAGE_KEY,
  writeShowSender,
} from '../../src/ui/notifications-preference';
import { fakeThisDevice } from './fake-messenger-people';
import { labelledInput, renderScreen } from './render-screen';

function settings(permission: NotificationPermissionState, showSender = false): NotificationSettingsState {
  return {
    permission,
    showSender,
    requestPermission: () => Promise.reject(new Error('the browser must not be asked while rendering')),
    setShowSender: () => {
      throw new Error('nothing is chosen while rendering');
    },
  };
}

const render = (permission: NotificationPermissionState, showSender = false) =>
  renderScreen(createElement(NotificationSettings, { settings: settings(permission, showSender) }));

/** The opening tag of the element with `data-testid="<id>"`, or undefined. */
const tag = (html: string, testId: string) => new RegExp(`<[a-z]+ [^>]*data-testid="${testId}"[^>]*>`).exec(html)?.[0];

const SHOW_SENDER = 'Show the sender’s name in notifications';

describe('the notifications control', () => {
  it('offers "Turn on notifications" as a button while the browser has not asked (permission default)', () => {
    const html = render('default');
    expect(tag(html, 'notifications-turn-on')).toMatch(/^<button type="button"/);
    expect(html).toContain('>Turn on notifications</button>');
    expect(html).not.toContain('notifications-show-sender');
    expect(html).not.toContain('notifications-blocked');
  });

  it('says where to unblock them once refused (permission denied), with no button to ask again', () => {
    const html = render('denied');
    expect(html).toContain('Notifications are blocked for this site in your browser’s settings.');
    expect(html).not.toContain('notifications-turn-on');
    expect(html).not.toContain('notifications-show-sender');
  });

  it('once granted, says they are on and offers a labelled sender checkbox, off by default and explained', () => {
    const html = render('granted');
    expect(html).toContain('Notifications are on. They never show what a message says.');
    const checkbox = labelledInput(html, SHOW_SENDER);
    expect(checkbox).toContain('type="checkbox"');
    expect(checkbox).not.toContain('checked');
    const describedBy = /aria-describedby="([^"]+)"/.exec(checkbox)?.[1];
    expect(html).toContain(
      `id="${describedBy}">Off by default: this device’s system keeps notifications outside OpenDescent’s encrypted storage.</p>`,
    );
    expect(html).not.toContain('notifications-turn-on');
  });

  it('shows the sender checkbox ticked when the person chose it', () => {
    expect(labelledInput(render('granted', true), SHOW_SENDER)).toContain('checked');
  });

  it('renders nothing where the browser has no notifications', () => {
    expect(render('unsupported')).toBe('');
  });
});

describe('the notifications control in the main screen', () => {
  const device = fakeThisDevice(Date.UTC(2027, 0, 4), 'approved');
  const original = Object.getOwnPropertyDescriptor(globalThis, 'Notification');
  const withNotification = (permission: NotificationPermission | undefined, run: () => void) => {
    if (permission === undefined) Reflect.deleteProperty(globalThis, 'Notification');
    else Object.defineProperty(globalThis, 'Notification', { configurable: true, value: { permission } });
    try {
      run();
    } finally {
      if (original) Object.defineProperty(globalThis, 'Notification', original);
      else Reflect.deleteProperty(globalThis, 'Notification');
    }
  };
  const footer = (html: string) => /<footer class="sidebar-footer">([\s\S]*?)<\/footer>/.exec(html)?.[1] ?? '';

  it('sits in the sidebar’s footer, beside the language switcher, and never asks on first load', () => {
    withNotification('default', () => {
      const html = footer(renderScreen(createElement(MainScreen, { device }), undefined, device));
      expect(html).toContain('data-testid="notifications-turn-on"');
      expect(html).toContain('data-testid="language-select"');
    });
  });

  it.each(['denied', 'granted'] as const)('shows the %s state the browser reports', (permission) => {
    withNotification(permission, () => {
      const html = footer(renderScreen(createElement(MainScreen, { device }), undefined, device));
      expect(html).toContain(`data-permission="${permission}"`);
    });
  });

  it('is absent where the browser has no Notification class', () => {
    withNotification(undefined, () => {
      const html = footer(renderScreen(createElement(MainScreen, { device }), undefined, device));
      expect(html).not.toContain('notification-settings');
      expect(html).toContain('data-testid="language-select"');
    });
  });
});

describe('the stored notification settings', () => {
  const memory = () => {
    const values = new Map<string, string>();
    return {
      values,
      getItem: (key: string) => values.get(key) ?? null,
      setItem: (key: string, value: string) => void values.set(key, value),
      removeItem: (key: string) => void values.delete(key),
    };
  };
  const refusing = {
    getItem: (): string | null => {
      throw new DOMException('denied', 'SecurityError');
    },
    setItem: () => {
      throw new DOMException('full', 'QuotaExceededError');
    },
    removeItem: () => {
      throw new DOMException('denied', 'SecurityError');
    },
  };

  it('reports the permission of the Notification class, or unsupported without one', () => {
    expect(notificationPermission({ permission: 'granted' })).toBe('granted');
    expect(notificationPermission(undefined)).toBe('unsupported');
  });

  it('does not show the sender until the person turns it on', () => {
    expect(readShowSender(memory())).toBe(false);
    expect(readShowSender(undefined)).toBe(false);
  });

  it('keeps the choice under opendescent.notifications.showSender, and forgets it when turned off', () => {
    const storage = memory();
    expect(writeShowSender(storage, true)).toBe(true);
    expect(storage.values.get(SHOW_SENDER_STORAGE_KEY)).toBe('true');
    expect(SHOW_SENDER_STORAGE_KEY).toBe('opendescent.notifications.showSender');
    expect(readShowSender(storage)).toBe(true);
    writeShowSender(storage, false);
    expect(storage.values.has(SHOW_SENDER_STORAGE_KEY)).toBe(false);
    expect(readShowSender(storage)).toBe(false);
  });

  it('reads a malformed stored value as off', () => {
    const storage = memory();
    for (const value of ['yes', 'TRUE', '1', '']) {
      storage.values.set(SHOW_SENDER_STORAGE_KEY, value);
      expect(readShowSender(storage)).toBe(false);
    }
  });

  it('reads off, and reports the choice unsaved, when storage is disabled or full', () => {
    expect(readShowSender(refusing)).toBe(false);
    expect(writeShowSender(refusing, true)).toBe(false);
    expect(writeShowSender(undefined, true)).toBe(false);
  });
});
