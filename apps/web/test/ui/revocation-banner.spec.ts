/**
 * The revocation banner (attestations.md §3.5) as the page renders it: nothing while the list is
 * fresh or none is due yet; a polite status once stale, naming since when and when sending will be
 * held; an alert while sending is held; an alert of its own for a list that could not be verified.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { RevocationView } from '../../src/messenger/api';
import { I18nProvider } from '../../src/ui/i18n-context';
import { RevocationBanner } from '../../src/ui/main/revocation-banner';

const NEXT_UPDATE = Date.parse('2026-12-05T14:02:00Z');
const DAY = 86_400_000;

function render(revocation: RevocationView | undefined): string {
  return renderToStaticMarkup(createElement(I18nProvider, null, createElement(RevocationBanner, { revocation })));
}

describe('the revocation banner', () => {
  it('shows nothing before enrolment, while fresh, or while no list is due yet', () => {
    expect(render(undefined)).toBe('');
    expect(render({ state: 'fresh', version: 4, nextUpdate: NEXT_UPDATE })).toBe('');
    expect(render({ state: 'none', version: 0 })).toBe('');
  });

  it('stale: a status naming since when, and when sending will be held', () => {
    const html = render({ state: 'stale', version: 4, nextUpdate: NEXT_UPDATE, sendingHeldFrom: NEXT_UPDATE + DAY });
    expect(html).toContain('role="status"');
    expect(html).toContain('data-state="stale"');
    expect(html).toContain('Revocation information is out of date (since ');
    expect(html).toContain('2026');
    expect(html).toContain('sending will be put on hold');
  });

  it('sending held: an alert saying messages wait and reading goes on', () => {
    const html = render({
      state: 'sending_held',
      version: 4,
      nextUpdate: NEXT_UPDATE,
      sendingHeldFrom: NEXT_UPDATE + DAY,
    });
    expect(html).toContain('role="alert"');
    expect(html).toContain('Sending is on hold');
    expect(html).toContain('you can still receive and read messages');
    // No list ever received: said as such.
    expect(render({ state: 'sending_held', version: 0, sendingHeldFrom: NEXT_UPDATE })).toContain(
      'has not yet received the list of revoked devices',
    );
  });

  it('a list that could not be verified: an alert of its own, beside a fresh state', () => {
    const html = render({
      state: 'fresh',
      version: 4,
      nextUpdate: NEXT_UPDATE,
      unverified: { at: 1, code: 'bad_signature' },
    });
    expect(html).toContain('data-testid="revocation-unverified"');
    expect(html).toContain('data-code="bad_signature"');
    expect(html).toContain('could not be verified');
    expect(html).not.toContain('data-testid="revocation-banner"');
  });
});
