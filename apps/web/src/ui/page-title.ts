/**
 * The tab's title: where the person is, never what they read. Chromium writes titles to its history
 * and session files, outside the encrypted store, so a conversation's or a group's name must never
 * be part of one: the title is built from the screen alone (WCAG 2.4.2, without the leak).
 */
import type { MessageKey, MessageParams } from '../i18n';
import type { Screen } from './conversation-format';

export type TitledScreen = Screen | 'loading' | 'unsupported' | 'other-tab' | 'failed';

const SCREEN_KEYS: { readonly [screen in TitledScreen]: MessageKey } = {
  loading: 'title.loading',
  unsupported: 'title.unsupported',
  'other-tab': 'title.other-tab',
  failed: 'title.failed',
  wiped: 'title.wiped',
  'create-passphrase': 'title.create-passphrase',
  unlock: 'title.unlock',
  enrol: 'title.enrol',
  main: 'title.main',
};

/** "Messages — OpenDescent", or "(3) Messages — OpenDescent" with unread messages. */
export function pageTitle(
  screen: TitledScreen,
  unread: number,
  t: (key: MessageKey, params?: MessageParams) => string,
): string {
  const title = t('title.format', { screen: t(SCREEN_KEYS[screen]), app: t('app.name') });
  return unread > 0 ? t('title.unread', { count: unread, title }) : title;
}
