/**
 * The SDP rules of a direct channel (docs/protocol/direct.md §4) on offers and answers Chromium
 * made (golden vector), and the certificate check that binds the channel to the fingerprint that
 * came through the ratchet: a tampered fingerprint, a second fingerprint, another hash, media
 * sections, oversized or NUL-bearing SDP are all refused.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_DIRECT_SDP_CHARS, checkDirectSdp, sameDtlsFingerprint } from '../../src';
import { fromHex, hex, protocolCode } from '../support';

interface Vector {
  readonly offer: string;
  readonly answer: string;
  readonly offererCertificateDer: string;
}
const vector = JSON.parse(readFileSync(path.join(__dirname, '..', 'golden', 'direct-v1.json'), 'utf8')) as Vector;
const fingerprintLine = (sdp: string) => sdp.split(/\r?\n/).find((line) => line.startsWith('a=fingerprint:')) as string;

describe('direct channel SDP', () => {
  it("takes Chromium's offer and answer and returns the fingerprint each names", () => {
    const offered = checkDirectSdp(vector.offer);
    const answered = checkDirectSdp(vector.answer);
    expect(offered).toHaveLength(32);
    expect(hex(offered)).toBe(fingerprintLine(vector.offer).split(' ')[1]?.replaceAll(':', '').toLowerCase());
    expect(hex(answered)).not.toBe(hex(offered));
    // LF-only line ends and a lower-case hash name are the same SDP.
    expect(checkDirectSdp(vector.offer.replaceAll('\r\n', '\n').replace('sha-256', 'SHA-256'))).toEqual(offered);
  });

  it('binds the channel: the certificate the answerer saw hashes to the offer’s fingerprint, and nothing else does', () => {
    const fingerprint = checkDirectSdp(vector.offer);
    const der = fromHex(vector.offererCertificateDer);
    expect(sameDtlsFingerprint(fingerprint, der)).toBe(true);
    const altered = der.slice();
    altered[altered.length - 1] = (altered[altered.length - 1] as number) ^ 1;
    expect(sameDtlsFingerprint(fingerprint, altered)).toBe(false);
    expect(sameDtlsFingerprint(checkDirectSdp(vector.answer), der)).toBe(false);
    expect(sameDtlsFingerprint(fingerprint.subarray(0, 31), der)).toBe(false);
    expect(sameDtlsFingerprint(fingerprint, new Uint8Array(0))).toBe(false);
  });

  it('a tampered fingerprint is taken as written (the certificate check then fails), never as the original', () => {
    const line = fingerprintLine(vector.offer);
    const tampered = vector.offer.replace(
      line,
      line.replace(/[0-9A-F]{2}$/, (byte) => (byte === '00' ? '01' : '00')),
    );
    const fingerprint = checkDirectSdp(tampered);
    expect(sameDtlsFingerprint(fingerprint, fromHex(vector.offererCertificateDer))).toBe(false);
  });

  it('malformed: no fingerprint, two, another hash, a short value, media sections, no data channel, oversized, NUL, not a string', () => {
    const line = fingerprintLine(vector.offer);
    const cases: unknown[] = [
      vector.offer.replace(`${line}\r\n`, ''),
      vector.offer.replace(line, `${line}\r\n${line}`),
      vector.offer.replace(line, line.replace('sha-256', 'sha-1')),
      vector.offer.replace(line, line.slice(0, -3)),
      vector.offer.replace(line, line.replace(/:/g, '-').replace('fingerprint-', 'fingerprint:')),
      `${vector.offer}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n`,
      vector.offer.replace('webrtc-datachannel', 'rtp'),
      vector.offer + 'a=x\r\n'.repeat(MAX_DIRECT_SDP_CHARS / 5),
      vector.offer.replace('s=-', 's=\0'),
      '',
      42,
      undefined,
    ];
    for (const sdp of cases) expect(protocolCode(() => checkDirectSdp(sdp))).toBe('malformed');
  });
});
