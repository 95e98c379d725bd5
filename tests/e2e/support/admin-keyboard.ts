/**
 * Driving the admin console with the keyboard alone (WCAG 2.1.1, 2.4.3): Tab until a control has
 * focus, then Enter or Space; and reading what has focus, so a test can say focus never fell to
 * <body> after an action.
 */
import type { CDPSession, Page } from 'playwright-core';
import { waitFor } from './admin-console';

export interface Focused {
  /** Lower-case tag name; "body" when nothing has focus. */
  readonly tag: string;
  /** Its accessible name, as Chromium computes it for assistive technologies. */
  readonly name: string;
  /** Its accessible role, as Chromium computes it ("button", "textbox", "status", "region"…). */
  readonly role: string;
}

const sessions = new WeakMap<Page, Promise<CDPSession>>();

/** What has focus, named as a screen reader would name it (through the DevTools accessibility tree). */
export async function focused(page: Page): Promise<Focused> {
  if (!sessions.has(page)) sessions.set(page, page.context().newCDPSession(page));
  const cdp = await (sessions.get(page) as Promise<CDPSession>);
  const { result } = await cdp.send('Runtime.evaluate', { expression: 'document.activeElement ?? document.body' });
  const tag = (result.description ?? '').split(/[#.]/)[0]?.toLowerCase() ?? '';
  const { nodes } = await cdp.send('Accessibility.getPartialAXTree', {
    objectId: result.objectId,
    fetchRelatives: false,
  });
  const node = nodes[0];
  const text = (value: { value?: unknown } | undefined) =>
    String(value?.value ?? '')
      .replace(/\s+/g, ' ')
      .trim();
  if (result.objectId) await cdp.send('Runtime.releaseObject', { objectId: result.objectId });
  return { tag, name: text(node?.name), role: text(node?.role) };
}

/** Presses Tab until `matches` holds for the focused element; fails naming each stop on the way. */
export async function tabTo(
  page: Page,
  what: string,
  matches: (f: Focused) => boolean,
  maxPresses = 60,
): Promise<Focused> {
  const stops: string[] = [];
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (matches(now)) return now;
    stops.push(`${now.tag}[${now.role}] "${now.name.slice(0, 60)}"`);
  }
  throw new Error(`Tab never reached ${what} in ${maxPresses} presses; focus went through:\n${stops.join('\n')}`);
}

/** Waits until focus is on an element that `matches`, and resolves with it. */
export async function focusSettlesOn(
  page: Page,
  what: string,
  matches: (f: Focused) => boolean,
  timeoutMs = 15_000,
): Promise<Focused> {
  let last: Focused | undefined;
  return waitFor(
    what,
    async () => {
      last = await focused(page);
      return matches(last) ? last : undefined;
    },
    timeoutMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; focus is on ${last?.tag} "${last?.name}"`);
  });
}

export const named = (tag: string, name: string | RegExp) => (f: Focused) =>
  f.tag === tag && (typeof name === 'string' ? f.name === name : name.test(f.name));
