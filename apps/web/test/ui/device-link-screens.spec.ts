/**
 * The device-link screens as the server renders them (no effects run, so no worker call yet):
 * the new device's panel before its offer arrives, and the approving device's first step, with
 * every control named for assistive technology and reachable by the end-to-end tests' ids.
 */
import { createElement } from 'react';
import type { ThisDeviceView } from '../../src/messenger/api';
import { DeviceLinkOfferPanel } from '../../src/ui/main/device-link-offer-panel';
import { LinkDeviceDialog } from '../../src/ui/main/link-device-dialog';
import { FakeMessenger } from './fake-messenger';
import { labelledInput, renderScreen } from './render-screen';

const device: ThisDeviceView = {
  address: 'ann@agency.example',
  displayName: 'Ann',
  deviceId: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
  attestationExpiresAt: 0,
  orgId: '11'.repeat(16),
  reachable: true,
  approval: 'unapproved',
  unapprovedOwnDevices: [],
};

describe('the new device’s link panel', () => {
  it('says why and what to do, and shows this device’s number to compare; no code before the worker sends one', () => {
    const api = new FakeMessenger(() => undefined);
    const start = jest.spyOn(api, 'startDeviceLink');
    const html = renderScreen(createElement(DeviceLinkOfferPanel, { device }), api, device);
    expect(html).toContain('data-testid="link-offer-panel"');
    expect(html).toContain('data-state="loading"');
    expect(html).toMatch(/<h2 [^>]*>Approve this device from another of your devices<\/h2>/);
    expect(html).toContain('your contacts send nothing to it');
    expect(html).toContain('You can still look through your conversations.');
    expect(html).toContain('Device number of this device: f0e1 d2c3 b4a5 9687 7869 5a4b 3c2d 1e0f');
    expect(html).toContain('role="status"');
    expect(html).not.toContain('data-testid="link-qr"');
    expect(html).not.toContain('data-testid="link-code"');
    expect(start).not.toHaveBeenCalled();
  });
});

describe('the approving device’s link dialog', () => {
  it('opens on the code step: a labelled text field, a labelled picture input, and a Check button', () => {
    const api = new FakeMessenger(() => undefined);
    const check = jest.spyOn(api, 'checkDeviceLink');
    const html = renderScreen(createElement(LinkDeviceDialog, { onClose: () => undefined }), api, device);
    expect(html).toContain('data-testid="link-device-dialog"');
    expect(labelledInput(html, 'Code shown on the new device')).toContain('data-testid="link-code-input"');
    expect(labelledInput(html, 'Use a picture of the QR code')).toContain('data-testid="link-qr-file"');
    expect(html).toMatch(/<button type="submit"[^>]*data-testid="link-check"[^>]*>Check<\/button>/);
    expect(html).not.toContain('data-testid="link-approve"');
    expect(check).not.toHaveBeenCalled();
  });
});
