/**
 * The trust alerts (attestations.md §4.3, transparency-log.md §3, user-keys.md §2.5) as the page
 * renders them: nothing when every check passed; an alert for a key rotation that could not be
 * followed, one per kind of log finding, and one for devices on this person's own address that
 * their user key did not approve, each saying what to do.
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
  approval: 'approved',
  unapprovedOwnDevices: [],
};
const GHOST = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

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

  it('a device added to this account without its approval: an alert naming it, grouped, and what to do', () => {
    const html = render({ ...device, unapprovedOwnDevices: [GHOST] });
    expect(html).toContain('data-testid="unapproved-own-device-alert"');
    expect(html).toContain('role="alert"');
    expect(html).toContain('A device was added to your account without your approval.');
    expect(html).toContain('Nothing is sent to it.');
    expect(html).toContain('contact your administrator to have it revoked');
    expect(html).toContain('a1b2 c3d4 e5f6 0718 293a 4b5c 6d7e 8f90');
    expect(html).toContain(`data-device-id="${GHOST}"`);
  });

  it('several such devices: one alert, counted, every device listed', () => {
    const other = 'ff'.repeat(16);
    const html = render({ ...device, unapprovedOwnDevices: [GHOST, other] });
    expect(html.match(/data-testid="unapproved-own-device-alert"/g)).toHaveLength(1);
    expect(html).toContain('2 devices were added to your account without your approval.');
    expect(html).toContain(`data-device-id="${GHOST}"`);
    expect(html).toContain(`data-device-id="${other}"`);
  });

  it.each(['checking', 'unapproved'] as const)(
    'a device that is itself %s raises no such alert (it cannot tell its person’s devices apart yet)',
    (approval) => {
      expect(render({ ...device, approval, unapprovedOwnDevices: [GHOST] })).toBe('');
    },
  );
});
