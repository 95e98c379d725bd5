/**
 * The trust alerts (attestations.md §4.3, transparency-log.md §3) as the page renders them:
 * nothing when every check passed; an alert for a key rotation that could not be followed, and one
 * per kind of log finding, each saying what to do.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ThisDeviceView } from '../../src/messenger/api';
import { I18nProvider } from '../../src/ui/i18n-context';
import { TrustAlerts } from '../../src/ui/main/trust-alerts';

const AT = Date.parse('2026-12-05T14:02:00Z');
const device: ThisDeviceView = {
  address: 'ann@agency.example',
  displayName: 'Ann',
  deviceId: '00'.repeat(16),
  attestationExpiresAt: 0,
  orgId: '11'.repeat(16),
  reachable: true,
};

const render = (view: ThisDeviceView) =>
  renderToStaticMarkup(createElement(I18nProvider, null, createElement(TrustAlerts, { device: view })));

describe('the trust alerts', () => {
  it('show nothing when every check passed', () => {
    expect(render(device)).toBe('');
  });

  it('a rotation that could not be followed: an alert saying the keys held are kept', () => {
    const html = render({ ...device, orgKeysAlert: { code: 'unknown_signer', at: AT } });
    expect(html).toContain('role="alert"');
    expect(html).toContain('data-code="unknown_signer"');
    expect(html).toContain('keeps the keys it had');
  });

  it.each([
    ['log_fork', 'two contradicting histories'],
    ['not_in_log', 'missing from your organisation’s public log'],
    ['bad_tree_head', 'could not be verified'],
  ])('a log finding (%s): an alert of its own', (code, text) => {
    const html = render({ ...device, logAlert: { code, at: AT } });
    expect(html).toContain('role="alert"');
    expect(html).toContain(`data-code="${code}"`);
    expect(html).toContain(text);
  });
});
