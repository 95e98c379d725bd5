/**
 * Server rendering of a screen inside the contexts it needs (no effects run, so no worker call),
 * and the markup checks the screen specs share.
 */
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ClientSnapshot, ThisDeviceView } from '../../src/messenger/api';
import { I18nProvider } from '../../src/ui/i18n-context';
import { MessengerContext, type MessengerContextValue } from '../../src/ui/messenger-context';
import { FakeMessenger } from './fake-messenger';

/** `element` in English, with `api` as the worker and an unlocked vault (on `device` when given). */
export function renderScreen(
  element: ReactNode,
  api: FakeMessenger = new FakeMessenger(() => undefined),
  device?: ThisDeviceView,
): string {
  const snapshot: ClientSnapshot = { vault: 'unlocked', device, relays: [], conversations: [], pendingOutgoing: 0 };
  const context: MessengerContextValue = {
    api,
    snapshot,
    refresh: async () => undefined,
    subscribe: () => () => undefined,
    adminUrl: 'http://127.0.0.1:3001',
  };
  return renderToStaticMarkup(
    createElement(I18nProvider, null, createElement(MessengerContext.Provider, { value: context }, element)),
  );
}

/** The <input> that the label whose text is `text` names by its `for`; throws when there is none. */
export function labelledInput(html: string, text: string): string {
  const label = new RegExp(`<label[^>]*for="([^"]+)"[^>]*>${text}</label>`).exec(html);
  if (!label?.[1]) throw new Error(`no label “${text}”`);
  const target = new RegExp(`<input[^>]*id="${label[1].replace(/[:«»]/g, '\\$&')}"[^>]*>`).exec(html);
  if (!target) throw new Error(`label “${text}” names no input`);
  return target[0];
}
