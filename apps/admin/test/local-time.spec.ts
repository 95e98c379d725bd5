/**
 * Times in the console (src/ui/local-time.tsx): the server renders UTC with its zone in a
 * <time dateTime> element; the browser replaces it with the viewer's local time and zone (seen
 * in Chromium in tests/e2e/admin.e2e.ts, with the browser's zone set to Europe/Paris).
 */
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { formatDateTime, LocalTime } from '../src/ui/local-time';

const AT = '2026-12-04T21:08:00.000Z';

describe('formatDateTime', () => {
  test.each([
    ['en', 'UTC', '4 Dec 2026, 21:08 UTC'],
    ['en', 'Europe/Paris', '4 Dec 2026, 22:08 CET'],
    ['en', 'America/New_York', '4 Dec 2026, 16:08 GMT-5'],
    ['fr', 'UTC', '4 déc. 2026, 21:08 UTC'],
    ['fr', 'Europe/Paris', '4 déc. 2026, 22:08 UTC+1'],
  ])('in %s for the zone %s: %p (the zone is always named)', (locale, zone, expected) => {
    expect(formatDateTime(new Date(AT), locale, zone)).toBe(expected);
  });
});

describe('<LocalTime>', () => {
  test('renders on the server as UTC, with the exact instant in dateTime and marked as not yet local', () => {
    expect(renderToStaticMarkup(h(LocalTime, { iso: AT, locale: 'en', never: 'never' }))).toBe(
      `<time dateTime="${AT}" title="${AT}" data-zone="utc">4 Dec 2026, 21:08 UTC</time>`,
    );
  });

  test('renders a missing time as the word for never', () => {
    expect(renderToStaticMarkup(h(LocalTime, { iso: null, locale: 'fr', never: 'jamais' }))).toBe('jamais');
  });
});
