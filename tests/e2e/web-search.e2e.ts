/**
 * Message search in Chromium (issue 15, the on-device index of apps/web/src/messenger/search),
 * through `npm start`'s code path with two staff: Anne writes to Basile in French, the oldest of it
 * more than a page of history back; Basile searches with and without the accents and the capitals
 * ("reunion", "Réunion", "hotel", "facade", "FAÇADE"), sees each message found with the word
 * marked, and a click opens the conversation scrolled to the message and highlighted, reading
 * older pages first when it is not among the last ones.
 * Screenshots: test-output/screenshots/web-search-*.png.
 */
import type { Locator, Page } from 'playwright-core';
import { waitFor } from './support/admin-console';
import { chromiumAvailable, screenshot, sendMessage, type LaunchedBrowser } from './support/browser';
import { failureExplainer } from './support/explained';
import { type RunningSystem, startSystem } from './support/system';
import { enrolStaff, startDirectChat } from './support/web-staff';

const PASSPHRASE = 'cedar-lagoon-63-harvest';
const STAFF = {
  anne: { address: 'anne.search@ministry.example', name: 'Anne Roux' },
  basile: { address: 'basile.search@ministry.example', name: 'Basile Noir' },
} as const;
type StaffName = keyof typeof STAFF;

const FACADE = 'Façade nord : le devis du ravalement est arrivé';
const MEETING = "Réunion du comité à l'hôtel de ville jeudi à 10 h";
/** More messages after FACADE than a page of the conversation holds (conversation-store.ts PAGE_SIZE, 50). */
const LATER_NOTES = 55;
const note = (n: number) => `Point ${n} : rien de neuf sur le dossier`;

let system: RunningSystem | undefined;
let browsers: Partial<Record<StaffName | 'admin', LaunchedBrowser>> = {};
let pages: Partial<Record<StaffName | 'admin', Page>> = {};
const problems: string[] = [];
const explained = failureExplainer({ prefix: 'web-search', pages: () => pages, system: () => system, problems });

const page = (who: StaffName): Page => {
  const found = pages[who];
  if (!found) throw new Error(`${who} has no page`);
  return found;
};
const message = (on: Page, text: string) => on.getByTestId('message').filter({ hasText: text });

/** Types `query` in the search field; resolves with the results once the search has answered. */
async function search(on: Page, query: string): Promise<Locator> {
  // Cleared first: while a new query is pending the panel keeps showing the previous results.
  await on.getByTestId('search-input').fill('');
  await on.getByTestId('search-panel').waitFor({ state: 'detached' });
  await on.getByTestId('search-input').fill(query);
  await on.getByTestId('search-results').or(on.getByTestId('search-none')).waitFor({ timeout: 60_000 });
  return on.getByTestId('search-result');
}

/** The message is shown within the message log's visible part. */
async function inView(message: Locator): Promise<boolean> {
  return message.evaluate((element) => {
    const log = element.closest('[data-testid="message-log"]') ?? document.documentElement;
    const shown = log.getBoundingClientRect();
    const box = element.getBoundingClientRect();
    return box.bottom > shown.top && box.top < shown.bottom;
  });
}

/** Clicks the one result of a search and expects its message opened, highlighted and in view. */
async function openResult(on: Page, query: string, text: string): Promise<void> {
  const results = await search(on, query);
  expect({ query, found: await results.count() }).toEqual({ query, found: 1 });
  expect(await results.first().innerText()).toContain(text.slice(0, 20));
  await results.first().click();
  // The message just revealed: an earlier reveal's highlight may still be on another for a moment.
  const hit = on.locator('[data-testid="message"][data-search-hit="true"]').filter({ hasText: text });
  await hit.waitFor({ timeout: 60_000 });
  await waitFor(`"${text}" scrolled into view`, async () => ((await inView(hit)) ? true : undefined), 10_000);
}

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser('the web client: searching messages in French, accents or none', () => {
  beforeAll(async () => {
    system = await startSystem();
  }, 240_000);

  afterAll(async () => {
    for (const browser of Object.values(browsers)) await browser?.close().catch(() => undefined);
    await system?.stop();
  }, 60_000);

  test(
    'two staff enrol; Anne writes to Basile in French, the oldest more than a page back',
    () =>
      explained(async () => {
        ({ browsers, pages } = await enrolStaff(system as RunningSystem, STAFF, PASSPHRASE, problems));
        const anne = page('anne');
        const basile = page('basile');
        await startDirectChat(anne, basile, STAFF.basile, STAFF.anne);
        await sendMessage(anne, FACADE);
        for (let n = 1; n <= LATER_NOTES; n++) await sendMessage(anne, note(n));
        await sendMessage(anne, MEETING);
        await message(basile, MEETING).waitFor({ timeout: 120_000 });
        // A fresh start of Basile's page: the conversation then holds its last page only.
        await basile.reload();
        await basile.getByTestId('unlock-input').fill(PASSPHRASE, { timeout: 60_000 });
        await basile.getByTestId('unlock-submit').click();
        await basile.getByTestId('conversation-item').first().click({ timeout: 60_000 });
        await message(basile, MEETING).waitFor({ timeout: 60_000 });
        expect(await message(basile, FACADE).count()).toBe(0);
      }),
    300_000,
  );

  test(
    '"reunion", "Réunion" and "hotel" find the meeting, marked as written, and a click shows it highlighted',
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
    '"facade" and "FAÇADE" find a message more than a page back: older pages are read and it is highlighted',
    () =>
      explained(async () => {
        const basile = page('basile');
        const results = await search(basile, 'FAÇADE');
        expect(await results.count()).toBe(1);
        expect(await results.first().locator('mark').allInnerTexts()).toEqual(['Façade']);
        await openResult(basile, 'facade', FACADE);
        await screenshot(basile, 'web-search-older');
        // The pages between were read too: the notes after it are in the list.
        expect(await message(basile, note(1)).count()).toBe(1);
        expect(problems).toEqual([]);
      }),
    120_000,
  );
});
