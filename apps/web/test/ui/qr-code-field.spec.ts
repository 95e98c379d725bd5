/**
 * The code field that a QR code can fill, as the server renders it (no effects, no camera, no
 * picture decoded): each input is named by its label, the field is described by its hint and its
 * error, the camera button appears only where a camera can be asked for, nothing claims a code was
 * read before one is, and both screens that use it keep the ids the end-to-end tests drive.
 */
import { createElement } from 'react';
import { QrCodeField, type QrCodeFieldProps } from '../../src/ui/components/qr-code-field';
import { LinkDeviceDialog } from '../../src/ui/main/link-device-dialog';
import { cameraAvailable } from '../../src/ui/qr-scan';
import { Enrol } from '../../src/ui/screens/enrol';
import { labelledInput, renderScreen } from './render-screen';

// Node has no camera API; whether the browser has one is what these tests choose.
jest.mock('../../src/ui/qr-scan', () => ({
  cameraAvailable: jest.fn(() => false),
  decodeQrPicture: jest.fn(),
  scanWithCamera: jest.fn(),
}));
const withCamera = (available: boolean) => jest.mocked(cameraAvailable).mockReturnValue(available);

function field(overrides: Partial<QrCodeFieldProps> = {}): QrCodeFieldProps {
  return {
    name: 'enrol',
    value: '',
    onChange: jest.fn(),
    checkScanned: jest.fn(),
    error: undefined,
    onError: jest.fn(),
    ...overrides,
  };
}

const attribute = (element: string, name: string) => new RegExp(` ${name}="([^"]*)"`).exec(element)?.[1];

describe('the QR code field', () => {
  it('names the text field by its label and describes it by its hint; valid until an error says otherwise', () => {
    withCamera(false);
    const html = renderScreen(createElement(QrCodeField, field({ value: 'ABCD' })));
    const input = labelledInput(html, 'Enrolment code');
    expect(attribute(input, 'data-testid')).toBe('enrol-code-input');
    expect(attribute(input, 'value')).toBe('ABCD');
    const [hint] = (attribute(input, 'aria-describedby') ?? '').split(' ');
    expect(html).toContain(`<p class="hint" id="${hint}">Looks like ABCD-EFGH-JKMN-PQRS-TVWX-YZ12.</p>`);
    expect(input).not.toContain('aria-invalid');
    expect(html).not.toContain('role="alert"');
  });

  it('shows the form’s error as an alert the field is described by, and marks the field invalid', () => {
    withCamera(false);
    const html = renderScreen(createElement(QrCodeField, field({ error: { key: 'enrol.qr-none' } })));
    const input = labelledInput(html, 'Enrolment code');
    expect(attribute(input, 'aria-invalid')).toBe('true');
    const [, errorId] = (attribute(input, 'aria-describedby') ?? '').split(' ');
    expect(html).toMatch(new RegExp(`<p class="error" role="alert" id="${errorId}"[^>]*data-error="enrol.qr-none"`));
  });

  it('names its picture input by its label, takes images only, and says nothing was read yet', () => {
    withCamera(false);
    const html = renderScreen(createElement(QrCodeField, field()));
    const input = labelledInput(html, 'Use a picture of the QR code');
    expect(attribute(input, 'type')).toBe('file');
    expect(attribute(input, 'accept')).toBe('image/*');
    expect(attribute(input, 'data-testid')).toBe('enrol-qr-file');
    expect(html).not.toContain('role="status"');
  });

  it('offers no camera button where the browser cannot ask for a camera', () => {
    withCamera(false);
    const html = renderScreen(createElement(QrCodeField, field()));
    expect(html).not.toContain('data-testid="enrol-scan"');
  });

  it('offers the camera button where it can; the camera starts only when it is pressed', () => {
    withCamera(true);
    const html = renderScreen(createElement(QrCodeField, field()));
    expect(html).toMatch(/<button type="button"[^>]*data-testid="enrol-scan"[^>]*>Scan the QR code<\/button>/);
    expect(html).not.toContain('<video');
  });

  it('passes the screen’s own autocomplete and focus attributes to the text field', () => {
    withCamera(false);
    const attributes = { autoComplete: 'off', 'data-autofocus': true } as const;
    const html = renderScreen(createElement(QrCodeField, field({ name: 'link', inputAttributes: attributes })));
    const input = labelledInput(html, 'Code shown on the new device');
    expect(attribute(input, 'autoComplete')).toBe('off');
    expect(attribute(input, 'data-autofocus')).toBe('true');
    expect(attribute(input, 'data-testid')).toBe('link-code-input');
  });
});

describe('the screens with a QR code field', () => {
  it('enrol keeps its labelled inputs and camera button under the enrol-* ids', () => {
    withCamera(true);
    const html = renderScreen(createElement(Enrol));
    const code = labelledInput(html, 'Enrolment code');
    expect(attribute(code, 'data-testid')).toBe('enrol-code-input');
    expect(attribute(code, 'autoComplete')).toBe('one-time-code');
    expect(attribute(code, 'inputMode')).toBe('text');
    expect(labelledInput(html, 'Use a picture of the QR code')).toContain('data-testid="enrol-qr-file"');
    expect(html).toMatch(/data-testid="enrol-scan"[^>]*>Scan the QR code<\/button>/);
    expect(html).not.toContain('data-testid="enrol-qr-read"');
  });

  it('the link dialog keeps its labelled inputs and camera button under the link-* ids', () => {
    withCamera(true);
    const html = renderScreen(createElement(LinkDeviceDialog, { onClose: () => undefined }));
    expect(attribute(labelledInput(html, 'Code shown on the new device'), 'data-autofocus')).toBe('true');
    expect(labelledInput(html, 'Use a picture of the QR code')).toContain('data-testid="link-qr-file"');
    expect(html).toMatch(/data-testid="link-scan"[^>]*>Scan the QR code<\/button>/);
    expect(html).not.toContain('data-testid="link-qr-read"');
  });
});
