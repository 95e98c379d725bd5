/**
 * Searching messages in the web client from a browser test (apps/web/src/messenger/search): type
 * a query, read the results, open one and check its message is shown highlighted and in view.
 */
import type { Locator, Page } from 'playwright-core';
import { waitFor } from './admin-console';

/** A message of the open conversation holding `text`. */
export const messageWith = (on: Page, text: string): Locator => on.getByTestId('message').filter({ hasText: text });

/** Types `query` in the search field; resolves with the results once the search has answered. */
export async function search(on: Page, query: string): Promise<Locator> {
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
export async function openResult(on: Page, query: string, text: string): Promise<void> {
  const results = await search(on, query);
  expect({ query, found: await results.count() }).toEqual({ query, found: 1 });
  expect(await results.first().innerText()).toContain(text.slice(0, 20));
  await results.first().click();
  // The message just revealed: an earlier reveal's highlight may still be on another for a moment.
  const hit = on.locator('[data-testid="message"][data-search-hit="true"]').filter({ hasText: text });
  await hit.waitFor({ timeout: 60_000 });
  await waitFor(`"${text}" scrolled into view`, async () => ((await inView(hit)) ? true : undefined), 10_000);
}
