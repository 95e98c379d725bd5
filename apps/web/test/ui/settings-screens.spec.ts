/**
 * Per-conversation notifications and the privacy settings as the server renders them (no effects
 * run, so no worker call): the labelled notify select of the conversation header, the "@" and muted
 * marks of the conversation list, and the read-receipt and typing checkboxes of the sidebar's
 * footer with their hints. The French texts beside.
 */
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ClientSnapshot, ConversationView, MemberView, PreferencesView } from '../../src/messenger/api';
import { translatorFor } from '../../src/i18n';
import { I18nProvider } from '../../src/ui/i18n-context';
import { ConversationList } from '../../src/ui/main/conversation-list';
import { MainScreen } from '../../src/ui/main/main-screen';
import { NotifyLevelSelect, notifyLevelChoices } from '../../src/ui/main/notify-level-select';
import { PrivacySettings } from '../../src/ui/main/privacy-settings';
import { MessengerContext } from '../../src/ui/messenger-context';
import { FakeMessenger } from './fake-messenger';
import { fakeThisDevice } from './fake-messenger-people';
import { labelledInput, renderScreen } from './render-screen';
import { conversationView } from './view-fixtures';

const self: MemberView = { address: 'me@example.org', displayName: 'Dominique', devices: [], isSelf: true };
const ann: MemberView = { address: 'ann@example.org', displayName: 'Ann', devices: [], isSelf: false };
const direct: ConversationView = conversationView({
  id: 'c1',
  kind: 'direct',
  title: 'Ann',
  members: [self, ann],
});
const group: ConversationView = { ...direct, id: 'g1', kind: 'group', title: 'Board' };
const ON: PreferencesView = { readReceipts: true, typingIndicators: true, directChannels: 'direct' };

/** The opening tag of the element with `data-testid="<id>"`, or undefined. */
const tag = (html: string, testId: string) => new RegExp(`<[a-z]+ [^>]*data-testid="${testId}"[^>]*>`).exec(html)?.[0];

/** The <select> that the label holding the visually hidden `text` names by its `for`. */
function labelledSelect(html: string, text: string): string {
  const label = new RegExp(
    `<label for="([^"]+)"[^>]*>(?:(?!</label>).)*<span class="visually-hidden">${text}</span></label>`,
  ).exec(html);
  if (!label?.[1]) throw new Error(`no label “${text}”`);
  const select = new RegExp(`<select[^>]*id="${label[1].replace(/[:«»]/g, '\\$&')}"[^>]*>[\\s\\S]*?</select>`).exec(
    html,
  );
  if (!select) throw new Error(`label “${text}” names no select`);
  return select[0];
}

/** The options of a rendered select: value, text, and whether it is the one selected. */
const options = (select: string) =>
  [...select.matchAll(/<option value="([^"]+)"( selected="")?>([^<]*)<\/option>/g)].map(
    ([, value, selected, text]) => ({
      value,
      text,
      selected: selected !== undefined,
    }),
  );

const notifySelect = (conversation: ConversationView) =>
  renderScreen(createElement(NotifyLevelSelect, { conversation }));

describe('the notify level select', () => {
  it('is a select labelled "Notifications for this conversation", behind an icon, with the current level chosen', () => {
    const html = notifySelect({ ...group, notify: 'mentions' });
    const select = labelledSelect(html, 'Notifications for this conversation');
    expect(select).toContain('data-testid="notify-level-select"');
    expect(select).not.toContain('disabled');
    expect(options(select)).toEqual([
      { value: 'all', text: 'All messages', selected: false },
      { value: 'mentions', text: 'Mentions only', selected: true },
      { value: 'none', text: 'Off', selected: false },
    ]);
    expect(html).toContain('title="Notifications for this conversation"');
    expect(html).toContain('<svg class="icon"');
  });

  it('marks a conversation whose notifications are off, for its styles', () => {
    expect(notifySelect({ ...group, notify: 'none' })).toContain('class="notify-level" data-level="none"');
  });

  it('offers no "Mentions only" in a direct conversation, where there are no mentions', () => {
    const select = labelledSelect(notifySelect(direct), 'Notifications for this conversation');
    expect(options(select).map((option) => option.value)).toEqual(['all', 'none']);
  });

  it('still shows "Mentions only" in a direct conversation that has it, so the select shows what applies', () => {
    expect(notifyLevelChoices({ ...direct, notify: 'mentions' })).toEqual(['all', 'mentions', 'none']);
    expect(notifyLevelChoices(group)).toEqual(['all', 'mentions', 'none']);
  });

  it('is disabled in a conversation this user can no longer write to (left, removed)', () => {
    expect(tag(notifySelect({ ...group, active: false }), 'notify-level-select')).toContain('disabled=""');
  });
});

const list = (...conversations: ConversationView[]) =>
  renderScreen(createElement(ConversationList, { conversations, selectedId: undefined, onSelect: () => undefined }));

/** The list item of conversation `id`. */
const item = (html: string, id: string) =>
  new RegExp(`<button[^>]*data-conversation-id="${id}"[\\s\\S]*?</button>`).exec(html)?.[0] ?? '';

describe('the conversation list’s marks', () => {
  it('shows an "@" badge read out as "Mentioned you" on a conversation with unread mentions', () => {
    const html = item(list({ ...group, unread: 3, unreadMentions: 1 }), 'g1');
    expect(html).toContain(
      '<span class="mention-badge" data-testid="mention-badge" title="Mentioned you"><span aria-hidden="true">@</span><span class="visually-hidden">Mentioned you</span></span>',
    );
    expect(html).toContain('3 unread messages');
  });

  it('shows no "@" badge once the mentions are read, nor on a conversation without any', () => {
    const html = list({ ...group, unread: 2, unreadMentions: 0 }, direct);
    expect(html).not.toContain('mention-badge');
  });

  it('shows a muted mark read out as "Notifications off" on a conversation whose notifications are off', () => {
    const html = list({ ...group, notify: 'none', unread: 1 }, direct);
    const muted = item(html, 'g1');
    expect(muted).toContain('data-notify="none"');
    expect(muted).toContain('data-testid="muted-mark"');
    expect(muted).toContain('<span class="visually-hidden">Notifications off</span>');
    expect(item(html, 'c1')).not.toContain('muted-mark');
  });

  it.each(['all', 'mentions'] as const)('shows no muted mark at level %s', (notify) => {
    expect(list({ ...group, notify })).not.toContain('muted-mark');
  });

  it('reads the marks after the time, in the order muted, mentioned, unread', () => {
    const html = item(list({ ...group, notify: 'none', unread: 2, unreadMentions: 1 }), 'g1');
    const order = ['Notifications off', 'Mentioned you', '2 unread messages'].map((text) => html.indexOf(text));
    expect(order.every((at) => at > html.indexOf('</time>'))).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

const privacy = (preferences: PreferencesView | undefined) =>
  renderScreen(createElement(PrivacySettings, { preferences }));

const READ_RECEIPTS = 'Send and show read receipts';
const TYPING = 'Send and show typing indicators';

/** The text of the hint that `input` points at with aria-describedby. */
function hintOf(html: string, input: string): string | undefined {
  const id = /aria-describedby="([^"]+)"/.exec(input)?.[1];
  if (!id) return undefined;
  return new RegExp(`<p class="hint" id="${id.replace(/[:«»]/g, '\\$&')}">([^<]*)</p>`).exec(html)?.[1];
}

describe('the privacy settings', () => {
  it('folds two labelled checkboxes under "Privacy"', () => {
    const html = privacy(ON);
    expect(html).toMatch(
      /^<details class="privacy-settings" data-testid="privacy-settings"><summary>Privacy<\/summary>/,
    );
    expect(labelledInput(html, READ_RECEIPTS)).toContain('type="checkbox"');
    expect(labelledInput(html, TYPING)).toContain('type="checkbox"');
  });

  it('ticks each checkbox as the worker reports the preference', () => {
    const both = privacy(ON);
    expect(labelledInput(both, READ_RECEIPTS)).toContain('checked=""');
    expect(labelledInput(both, TYPING)).toContain('checked=""');
    const neither = privacy({ readReceipts: false, typingIndicators: false, directChannels: 'direct' });
    expect(labelledInput(neither, READ_RECEIPTS)).not.toContain('checked');
    expect(labelledInput(neither, TYPING)).not.toContain('checked');
    const one = privacy({ readReceipts: false, typingIndicators: true, directChannels: 'direct' });
    expect(labelledInput(one, READ_RECEIPTS)).not.toContain('checked');
    expect(labelledInput(one, TYPING)).toContain('checked=""');
  });

  it('explains each one, tied to its checkbox: seen by the conversation’s members only, encrypted, both ways', () => {
    const html = privacy(ON);
    expect(hintOf(html, labelledInput(html, READ_RECEIPTS))).toBe(
      'Shows the members of a conversation when you have read their messages (end-to-end encrypted). Off: you don’t see theirs either.',
    );
    expect(hintOf(html, labelledInput(html, TYPING))).toBe(
      'Shows the members of a conversation when you are typing (end-to-end encrypted). Off: you don’t see theirs either.',
    );
  });

  it('renders nothing before the worker reports the preferences', () => {
    expect(privacy(undefined)).toBe('');
  });
});

describe('the privacy settings in the main screen', () => {
  const device = fakeThisDevice(Date.UTC(2027, 0, 4), 'approved');
  const render = (node: ReactNode, preferences?: PreferencesView) => {
    const snapshot: ClientSnapshot = {
      vault: 'unlocked',
      device,
      relays: [],
      conversations: [],
      pendingOutgoing: 0,
      ...(preferences ? { preferences } : {}),
    };
    const value = {
      api: new FakeMessenger(() => undefined),
      snapshot,
      refresh: async () => undefined,
      subscribe: () => () => undefined,
      adminUrl: 'http://127.0.0.1:3001',
    };
    return renderToStaticMarkup(
      createElement(I18nProvider, null, createElement(MessengerContext.Provider, { value }, node)),
    );
  };
  const footer = (html: string) => /<footer class="sidebar-footer">([\s\S]*?)<\/footer>/.exec(html)?.[1] ?? '';

  it('sits in the sidebar’s footer before the language switcher, with the snapshot’s preferences', () => {
    const html = footer(
      render(createElement(MainScreen, { device }), {
        readReceipts: false,
        typingIndicators: true,
        directChannels: 'direct',
      }),
    );
    expect(html).toContain('data-testid="privacy-settings"');
    expect(html.indexOf('privacy-settings')).toBeLessThan(html.indexOf('data-testid="language-select"'));
    expect(labelledInput(html, READ_RECEIPTS)).not.toContain('checked');
    expect(labelledInput(html, TYPING)).toContain('checked=""');
  });
});

describe('in French', () => {
  const t = translatorFor('fr');

  it('names the levels, the marks and the settings', () => {
    expect([t('notify.label'), t('notify.all'), t('notify.mentions'), t('notify.none')]).toEqual([
      'Notifications de cette discussion',
      'Tous les messages',
      'Mentions uniquement',
      'Désactivées',
    ]);
    expect([t('list.mentioned'), t('list.muted')]).toEqual(['Mention de votre nom', 'Notifications désactivées']);
    expect([t('privacy.title'), t('privacy.read-receipts'), t('privacy.typing')]).toEqual([
      'Confidentialité',
      'Envoyer et afficher les confirmations de lecture',
      'Envoyer et afficher les indicateurs de saisie',
    ]);
  });

  it('says in each hint who sees it, that it is encrypted, and that it works both ways', () => {
    for (const hint of [t('privacy.read-receipts-hint'), t('privacy.typing-hint')]) {
      expect(hint).toContain('membres d’une discussion');
      expect(hint).toContain('chiffré de bout en bout');
      expect(hint).toContain('vous ne voyez pas non plus les leurs');
    }
  });
});
