/**
 * What the bench runs inside the web client's page (Playwright's page.evaluate): timers that watch
 * the DOM with a MutationObserver and requestAnimationFrame. Each function is sent as source text,
 * so it uses nothing from outside itself. "On screen" is the first animation frame in which the
 * element is laid out inside the message log's visible box: the frame it is painted in.
 */
import type { Page } from 'playwright-core';

export interface OpenTiming {
  /** From the click on the conversation to the newest message's element in the DOM. */
  readonly domMs: number;
  /** From the click to the first frame with the newest message visible in the log. */
  readonly screenMs: number;
}

export interface ReceivedOnScreen {
  readonly id: string;
  readonly text: string;
  /** performance.timeOrigin + performance.now() (ms), comparable with the worker's marks. */
  readonly domAt: number;
  readonly screenAt?: number;
}

type BenchWindow = Window & { __benchOpen?: Promise<OpenTiming>; __benchReceived?: Map<string, ReceivedOnScreen> };

/** In the page: arms the timing of the next click (on a conversation) until `newestId` is on screen. */
function armOpenTiming(newestId: string): void {
  const onScreen = (element: Element): boolean => {
    const log = element.closest('[data-testid="message-log"]');
    const box = element.getBoundingClientRect();
    const view = log ? log.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
    return box.height > 0 && box.bottom > Math.max(view.top, 0) && box.top < Math.min(view.bottom, window.innerHeight);
  };
  const selector = `[data-message-id="${CSS.escape(newestId)}"]`;
  let clickAt: number | undefined;
  let domAt: number | undefined;
  window.addEventListener('click', () => (clickAt ??= performance.now()), { capture: true, once: true });
  (window as BenchWindow).__benchOpen = new Promise<OpenTiming>((resolve) => {
    const observer = new MutationObserver(() => {
      if (clickAt !== undefined && domAt === undefined && document.querySelector(selector)) domAt = performance.now();
    });
    observer.observe(document.body, { childList: true, subtree: true });
    const onFrame = () => {
      const element = clickAt === undefined ? null : document.querySelector(selector);
      if (element && clickAt !== undefined && onScreen(element)) {
        const now = performance.now();
        observer.disconnect();
        resolve({ domMs: (domAt ?? now) - clickAt, screenMs: now - clickAt });
        return;
      }
      requestAnimationFrame(onFrame);
    };
    requestAnimationFrame(onFrame);
  });
}

/** In the page: from now on, notes when each new message element whose text starts with `prefix` enters the DOM and the screen. */
function armReceivedTiming(prefix: string): void {
  const onScreen = (element: Element): boolean => {
    const log = element.closest('[data-testid="message-log"]');
    const box = element.getBoundingClientRect();
    const view = log ? log.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
    return box.height > 0 && box.bottom > Math.max(view.top, 0) && box.top < Math.min(view.bottom, window.innerHeight);
  };
  const seen = new Map<string, ReceivedOnScreen>();
  (window as BenchWindow).__benchReceived = seen;
  const waiting = new Map<string, Element>();
  const onFrame = () => {
    const now = performance.timeOrigin + performance.now();
    for (const [id, element] of waiting) {
      const entry = seen.get(id);
      if (!entry || !element.isConnected) waiting.delete(id);
      else if (onScreen(element)) {
        seen.set(id, { ...entry, screenAt: now });
        waiting.delete(id);
      }
    }
    if (waiting.size > 0) requestAnimationFrame(onFrame);
  };
  new MutationObserver((records) => {
    const now = performance.timeOrigin + performance.now();
    const before = waiting.size;
    for (const record of records) {
      for (const node of Array.from(record.addedNodes)) {
        if (!(node instanceof Element)) continue;
        const items = node.matches('[data-testid="message"]')
          ? [node]
          : Array.from(node.querySelectorAll('[data-testid="message"]'));
        for (const item of items) {
          const id = item.getAttribute('data-message-id') ?? '';
          const text = item.querySelector('.message-text')?.textContent ?? '';
          if (!text.startsWith(prefix) || seen.has(id)) continue;
          seen.set(id, { id, text, domAt: now });
          waiting.set(id, item);
        }
      }
    }
    if (before === 0 && waiting.size > 0) requestAnimationFrame(onFrame);
  }).observe(document.body, { childList: true, subtree: true });
}

/** Clicks the conversation item titled `title` and resolves with the time until `newestId` is on screen. */
export async function timeOpen(page: Page, title: string, newestId: string, timeoutMs = 120_000): Promise<OpenTiming> {
  const item = page.getByTestId('conversation-item').filter({ hasText: title }).first();
  await item.waitFor({ timeout: 60_000 });
  await page.evaluate(armOpenTiming, newestId);
  await item.click();
  return page.evaluate(
    ([timeout]) =>
      Promise.race([
        (window as BenchWindow).__benchOpen as Promise<OpenTiming>,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('the newest message never showed')), timeout),
        ),
      ]),
    [timeoutMs] as const,
  );
}

export async function watchReceived(page: Page, prefix: string): Promise<void> {
  await page.evaluate(armReceivedTiming, prefix);
}

/** Resolves once the message with this exact text is on screen; returns what the page noted. */
export async function receivedOnScreen(page: Page, text: string, timeoutMs = 120_000): Promise<ReceivedOnScreen> {
  const handle = await page.waitForFunction(
    (wanted) =>
      [...((window as BenchWindow).__benchReceived?.values() ?? [])].find(
        (entry) => entry.text === wanted && entry.screenAt !== undefined,
      ),
    text,
    { timeout: timeoutMs, polling: 50 },
  );
  return (await handle.jsonValue()) as ReceivedOnScreen;
}
