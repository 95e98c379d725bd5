/**
 * Replies, reactions, edits, deletions for everyone, read marks, typing, mentions and the unread
 * divider in Chromium, through `npm start`'s code path, with three staff in a group
 * (messages.md §5.8): Anne, Basile and Chloé click, type and read as staff would, and each effect
 * is checked on the other devices. The message pane is audited with axe-core once every feature
 * is on screen. Then search on the device (apps/web/src/messenger/search): Anne writes to Basile
 * in French, the oldest of it more than a page of history back; Basile searches with and without
 * the accents and the capitals ("reunion", "Réunion", "hotel", "facade", "FAÇADE"), sees each
 * message found with the word marked, and a click opens the conversation scrolled to the message
 * and highlighted, reading older pages first when it is not among the last ones (one system and
 * one set of browsers for both: each costs half a minute to start).
 * Screenshots: test-output/screenshots/web-features-*.png, web-search-*.png.
 */
import type { Locator, Page } from 'playwright-core';
import { expectAccessible } from './support/axe';
import { chromiumAvailable, openConversation, screenshot, sendMessage, type LaunchedBrowser } from './support/browser';
import { failureExplainer } from './support/explained';
import { type RunningSystem, startSystem } from './support/system';
import { messageWith, openResult, search } from './support/web-search';
import { enrolStaff, startDirectChat } from './support/web-staff';

const PASSPHRASE = 'amber-harbour-83-violin';
const STAFF = {
  anne: { address: 'anne.features@ministry.example', name: 'Anne Roux' },
  basile: { address: 'basile.features@ministry.example', name: 'Basile Noir' },
  chloe: { address: 'chloe.features@ministry.example', name: 'Chloé Blanc' },
} as const;
type StaffName = keyof typeof STAFF;
const TITLE = 'Comité de pilotage';

const FACADE = 'Façade nord : le devis du ravalement est arrivé';
const MEETING = "Réunion du comité à l'hôtel de ville jeudi à 10 h";
/** More messages after FACADE than a page of the conversation holds (conversation-store.ts PAGE_SIZE, 50). */
const LATER_NOTES = 55;
const note = (n: number) => `Point ${n} : rien de neuf sur le dossier`;

let system: RunningSystem | undefined;
let browsers: Partial<Record<StaffName | 'admin', LaunchedBrowser>> = {};
let pages: Partial<Record<StaffName | 'admin', Page>> = {};
const problems: string[] = [];
const explained = failureExplainer({ prefix: 'web-features', pages: () => pages, system: () => system, problems });

const page = (who: StaffName): Page => {
  const found = pages[who];
  if (!found) throw new Error(`${who} has no page`);
  return found;
};
const bubble = (on: Page, text: string) => on.getByTestId('message').filter({ hasText: text }).last();
/** One of this person's own messages (a reply quoting it holds its words too). */
const own = (on: Page, text: string) =>
  on.locator('[data-testid="message"][data-mine="true"]').filter({ hasText: text }).first();

async function send(on: Page, text: string): Promise<void> {
  await on.getByTestId('composer-input').fill(text);
  await on.getByTestId('composer-input').press('Enter');
  await bubble(on, text).waitFor({ timeout: 30_000 });
}

/** Opens a message's actions (hover reveals the button; it is also reachable by keyboard) and picks one. */
async function act(message: Locator, action: 'reply' | 'react' | 'edit' | 'delete'): Promise<void> {
  await message.hover();
  await message.getByTestId('message-actions').click();
  await message.getByTestId(`action-${action}`).click();
}

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser('the web client: replies, reactions, edits, deletions, receipts, typing, mentions, search', () => {
  beforeAll(async () => {
    system = await startSystem();
    ({ browsers, pages } = await enrolStaff(system, STAFF, PASSPHRASE, problems));
  }, 300_000);

  afterAll(async () => {
    for (const browser of Object.values(browsers)) await browser?.close().catch(() => undefined);
    await system?.stop();
  }, 60_000);

  test(
    'Anne makes a group; everyone opens it',
    () =>
      explained(async () => {
        const anne = page('anne');
        await anne.getByTestId('new-group-button').click();
        await anne.getByTestId('new-group-title').fill(TITLE);
        await anne.getByTestId('new-group-addresses').fill(`${STAFF.basile.address}\n${STAFF.chloe.address}`);
        await anne.getByTestId('new-group-submit').click();
        await anne.getByTestId('conversation-title').filter({ hasText: TITLE }).waitFor({ timeout: 30_000 });
        await send(anne, 'Ordre du jour : budget et calendrier');
        for (const who of ['basile', 'chloe'] as const) {
          await openConversation(page(who), TITLE);
          await bubble(page(who), 'Ordre du jour').waitFor({ timeout: 30_000 });
        }
      }),
    180_000,
  );

  test(
    'Basile mentions Chloé with the @ list; she sees the mention marked, Anne does not',
    () =>
      explained(async () => {
        const basile = page('basile');
        const input = basile.getByTestId('composer-input');
        await input.fill('');
        await input.pressSequentially('@Chl');
        await basile.getByTestId('mention-listbox').waitFor();
        await basile.getByTestId('mention-option').filter({ hasText: STAFF.chloe.name }).waitFor();
        await input.press('Enter');
        await input.pressSequentially('peux-tu relire ?');
        await expectInput(basile, `@${STAFF.chloe.name} peux-tu relire ?`);
        await input.press('Enter');
        const atChloe = bubble(page('chloe'), 'peux-tu relire');
        await atChloe.waitFor({ timeout: 30_000 });
        expect(await atChloe.getAttribute('data-mentions-me')).toBe('true');
        await atChloe.getByTestId('mention').first().waitFor();
        const atAnne = bubble(page('anne'), 'peux-tu relire');
        await atAnne.waitFor({ timeout: 30_000 });
        expect(await atAnne.getAttribute('data-mentions-me')).toBeNull();
      }),
    90_000,
  );

  test(
    'Chloé replies to Anne quoting her; Anne reacts, Basile reacts with another emoji typed in',
    () =>
      explained(async () => {
        const chloe = page('chloe');
        await act(bubble(chloe, 'Ordre du jour'), 'reply');
        await chloe.getByTestId('composer-reply-snippet').filter({ hasText: 'Ordre du jour' }).waitFor();
        await send(chloe, "D'accord pour le budget");
        for (const who of ['anne', 'basile'] as const) {
          const reply = bubble(page(who), "D'accord pour le budget");
          await reply.waitFor({ timeout: 30_000 });
          await reply.getByTestId('message-quote').filter({ hasText: 'Ordre du jour' }).waitFor();
        }

        const anne = page('anne');
        await act(bubble(anne, "D'accord pour le budget"), 'react');
        await anne.getByTestId('reaction-picker').getByTestId('reaction-choice').first().click();
        const basile = page('basile');
        await act(bubble(basile, "D'accord pour le budget"), 'react');
        await basile.getByTestId('reaction-other-input').fill('🎉');
        await basile.getByTestId('reaction-other-add').click();
        const chips = bubble(chloe, "D'accord pour le budget").getByTestId('reaction-chip');
        await chips.nth(1).waitFor({ timeout: 30_000 });
        expect(await chips.allTextContents()).toEqual([expect.stringContaining('👍'), expect.stringContaining('🎉')]);
        // Basile's own chip is pressed at his side; clicking it takes his reaction back everywhere.
        const mine = bubble(basile, "D'accord pour le budget").getByTestId('reaction-chip').filter({ hasText: '🎉' });
        expect(await mine.getAttribute('aria-pressed')).toBe('true');
        await mine.click();
        await bubble(chloe, "D'accord pour le budget")
          .getByTestId('reaction-chip')
          .filter({ hasText: '🎉' })
          .waitFor({ state: 'detached', timeout: 30_000 });
      }),
    120_000,
  );

  test(
    'Anne edits her message and it is shown edited everywhere, with the earlier version; the quote follows',
    () =>
      explained(async () => {
        const anne = page('anne');
        await act(own(anne, 'Ordre du jour'), 'edit');
        await anne.getByTestId('composer-edit').waitFor();
        await anne.getByTestId('composer-input').fill('Ordre du jour : budget, calendrier et recrutements');
        await anne.getByTestId('composer-input').press('Enter');
        for (const who of ['basile', 'chloe'] as const) {
          // The first: Chloé's reply below it now quotes these words too.
          const edited = page(who)
            .getByTestId('message')
            .filter({ hasText: 'budget, calendrier et recrutements' })
            .first();
          await edited.waitFor({ timeout: 30_000 });
          await edited.getByTestId('message-edited').waitFor();
          await bubble(page(who), "D'accord pour le budget")
            .getByTestId('message-quote')
            .filter({ hasText: 'recrutements' })
            .waitFor({ timeout: 30_000 });
        }
        const basile = page('basile');
        await basile
          .getByTestId('message')
          .filter({ hasText: 'recrutements' })
          .first()
          .getByTestId('message-edited')
          .click();
        await basile.getByTestId('edit-history').filter({ hasText: 'Ordre du jour : budget et calendrier' }).waitFor();
        await screenshot(basile, 'web-features-edit-history');
        await basile.keyboard.press('Escape');
      }),
    90_000,
  );

  test(
    'Basile sees Anne typing; Anne sees her message read',
    () =>
      explained(async () => {
        const anne = page('anne');
        await anne.getByTestId('composer-input').pressSequentially('Je prépare le document', { delay: 20 });
        await page('basile')
          .getByTestId('typing-indicator')
          .filter({ hasText: STAFF.anne.name })
          .waitFor({ timeout: 30_000 });
        await screenshot(page('basile'), 'web-features-typing');
        await anne.getByTestId('composer-input').press('Enter');
        await bubble(page('basile'), 'Je prépare le document').waitFor({ timeout: 30_000 });
        await bubble(page('chloe'), 'Je prépare le document').waitFor({ timeout: 30_000 });
        // Both have the group open and visible: they read it, and Anne's message turns `read`.
        await anne
          .locator('[data-testid="message"][data-status="read"]')
          .filter({ hasText: 'Je prépare le document' })
          .waitFor({ timeout: 30_000 });
      }),
    90_000,
  );

  test(
    'Anne deletes a message for everyone; a marker stays, its words are gone everywhere',
    () =>
      explained(async () => {
        const anne = page('anne');
        await send(anne, 'Numéro du coffre : 4 8 15 16');
        for (const who of ['basile', 'chloe'] as const)
          await bubble(page(who), 'Numéro du coffre').waitFor({ timeout: 30_000 });
        await act(own(anne, 'Numéro du coffre'), 'delete');
        await anne.getByTestId('confirm-delete').click();
        for (const who of ['anne', 'basile', 'chloe'] as const) {
          const on = page(who);
          await on.locator('[data-testid="message"][data-deleted="true"]').first().waitFor({ timeout: 30_000 });
          await on
            .getByTestId('message')
            .filter({ hasText: 'Numéro du coffre' })
            .waitFor({ state: 'detached', timeout: 30_000 });
        }
        // Nobody else is offered to edit or delete Anne's messages. By keyboard: the log is one tab
        // stop; the arrows move between messages and Enter opens the focused one's actions.
        const basile = page('basile');
        const theirs = bubble(basile, 'Je prépare le document');
        await theirs.focus();
        await basile.keyboard.press('Enter');
        await theirs.getByTestId('action-reply').waitFor();
        expect(await basile.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('action-reply');
        expect(await theirs.getByTestId('action-edit').count()).toBe(0);
        expect(await theirs.getByTestId('action-delete').count()).toBe(0);
        await basile.keyboard.press('Escape');
        await screenshot(basile, 'web-features-deleted');
        await expectAccessible(basile, 'conversation with replies, reactions, edits and a deletion');
      }),
    90_000,
  );

  test(
    'Chloé comes back to unread messages: a divider marks the first, and the jump reaches it',
    () =>
      explained(async () => {
        const chloe = page('chloe');
        // Chloé leaves the group's page for her list; Basile writes meanwhile.
        await chloe.evaluate(() => {
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
          document.dispatchEvent(new Event('visibilitychange'));
        });
        const basile = page('basile');
        for (let i = 1; i <= 3; i++) await send(basile, `Point ${i} à relire`);
        // They reached Chloé's device (her page still shows the group, hidden) before she comes back.
        await bubble(chloe, 'Point 3 à relire').waitFor({ timeout: 30_000 });
        await chloe.evaluate(() => {
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
        });
        await chloe.reload();
        await chloe.getByTestId('unlock-input').fill(PASSPHRASE);
        await chloe.getByTestId('unlock-submit').click();
        await openConversation(chloe, TITLE);
        const divider = chloe.getByTestId('unread-divider');
        await divider.waitFor({ timeout: 30_000 });
        // The first message after the divider is the first Chloé has not read.
        const firstUnread = await chloe.evaluate(() => {
          let node = document.querySelector('[data-testid="unread-divider"]')?.nextElementSibling;
          while (node && node.getAttribute('data-testid') !== 'message') node = node.nextElementSibling;
          return node?.textContent ?? '';
        });
        expect(firstUnread).toContain('Point 1 à relire');
        const jump = chloe.getByTestId('unread-jump');
        if (await jump.isVisible()) {
          await jump.click();
          await divider.waitFor({ state: 'visible' });
        }
        await screenshot(chloe, 'web-features-unread');
        expect(problems).toEqual([]);
      }),
    120_000,
  );

  test(
    'search: Anne writes to Basile in French, the oldest more than a page back',
    () =>
      explained(async () => {
        const anne = page('anne');
        const basile = page('basile');
        await startDirectChat(anne, basile, STAFF.basile, STAFF.anne);
        await sendMessage(anne, FACADE);
        for (let n = 1; n <= LATER_NOTES; n++) await sendMessage(anne, note(n));
        await sendMessage(anne, MEETING);
        await messageWith(basile, MEETING).waitFor({ timeout: 120_000 });
        // A fresh start of Basile's page: the conversation then holds its last page only.
        await basile.reload();
        await basile.getByTestId('unlock-input').fill(PASSPHRASE, { timeout: 60_000 });
        await basile.getByTestId('unlock-submit').click();
        await openConversation(basile, STAFF.anne.name);
        await messageWith(basile, MEETING).waitFor({ timeout: 60_000 });
        expect(await messageWith(basile, FACADE).count()).toBe(0);
      }),
    300_000,
  );

  test(
    'search: "reunion", "Réunion" and "hotel" find the meeting, marked as written, and a click shows it highlighted',
    () =>
      explained(async () => {
        const basile = page('basile');
        for (const [query, marked] of [
          ['reunion', 'Réunion'],
          ['Réunion', 'Réunion'],
          ['hotel', 'hôtel'],
        ] as const) {
          const results = await search(basile, query);
          expect({ query, found: await results.count() }).toEqual({ query, found: 1 });
          expect(await results.first().locator('mark').allInnerTexts()).toEqual([marked]);
        }
        await screenshot(basile, 'web-search-results');
        await openResult(basile, 'reunion', MEETING);
        await screenshot(basile, 'web-search-opened');
      }),
    120_000,
  );

  test(
    'search: "facade" and "FAÇADE" find a message more than a page back: older pages are read and it is highlighted',
    () =>
      explained(async () => {
        const basile = page('basile');
        const results = await search(basile, 'FAÇADE');
        expect(await results.count()).toBe(1);
        expect(await results.first().locator('mark').allInnerTexts()).toEqual(['Façade']);
        await openResult(basile, 'facade', FACADE);
        await screenshot(basile, 'web-search-older');
        // The pages between were read too: the notes after it are in the list.
        expect(await messageWith(basile, note(1)).count()).toBe(1);
        expect(problems).toEqual([]);
      }),
    120_000,
  );
});

async function expectInput(on: Page, value: string): Promise<void> {
  expect(await on.getByTestId('composer-input').inputValue()).toBe(value);
}
