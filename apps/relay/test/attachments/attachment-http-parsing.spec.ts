/** The attachment routes' header parsing (attachments.md §4): strict, and a range as RFC 9110 §14 allows. */
import { byteCountHeader, capabilityHeader, isOffsetOctetStream } from '../../src/attachments/attachment-headers';
import { requestedRange } from '../../src/attachments/attachment-range';

describe('requested range', () => {
  const length = 1_000;

  it('bytes=a- is the rest of the file from a, bytes=a-b is inclusive and clamped to the end', () => {
    expect(requestedRange('bytes=100-', length)).toEqual({ start: 100, end: 1_000 });
    expect(requestedRange('bytes=0-0', length)).toEqual({ start: 0, end: 1 });
    expect(requestedRange('bytes=10-19', length)).toEqual({ start: 10, end: 20 });
    expect(requestedRange('bytes=990-5000', length)).toEqual({ start: 990, end: 1_000 });
  });

  it('bytes=-n is the last n bytes', () => {
    expect(requestedRange('bytes=-10', length)).toEqual({ start: 990, end: 1_000 });
    expect(requestedRange('bytes=-5000', length)).toEqual({ start: 0, end: 1_000 });
  });

  it('unsatisfiable: a start at or past the end, or an empty suffix', () => {
    expect(requestedRange('bytes=1000-', length)).toBe('unsatisfiable');
    expect(requestedRange('bytes=1000-1001', length)).toBe('unsatisfiable');
    expect(requestedRange('bytes=-0', length)).toBe('unsatisfiable');
  });

  it('malformed, several ranges or another unit: ignored, so the whole file is served', () => {
    for (const header of [undefined, '', 'bytes=', 'bytes=-', 'bytes=5-2', 'bytes=0-1,5-6', 'items=0-1', 'bytes=a-b'])
      expect(requestedRange(header, length)).toBeUndefined();
    expect(requestedRange(`bytes=${'9'.repeat(17)}-`, length)).toBeUndefined();
  });
});

describe('attachment headers', () => {
  const id = '00112233445566778899aabbccddeeff';

  it('a capability is exactly its length in lower-case hex', () => {
    expect(capabilityHeader({ 'od-upload-id': id }, 'od-upload-id', 16)).toEqual(
      new Uint8Array(Buffer.from(id, 'hex')),
    );
  });

  it('malformed capabilities: missing, short, long, upper-case, not hex, given twice', () => {
    for (const value of [undefined, id.slice(2), `${id}00`, id.toUpperCase(), `${id.slice(1)}g`, `${id}, ${id}`])
      expect(capabilityHeader({ 'od-upload-id': value }, 'od-upload-id', 16)).toBeUndefined();
  });

  it('a byte count is a non-negative decimal integer that JavaScript holds exactly', () => {
    expect(byteCountHeader({ 'upload-offset': '0' }, 'upload-offset')).toBe(0);
    expect(byteCountHeader({ 'upload-offset': '16777216' }, 'upload-offset')).toBe(16_777_216);
    for (const value of [undefined, '', '-1', '1.5', '1e3', ' 1', '0x10', '9007199254740993', '12345678901234567'])
      expect(byteCountHeader({ 'upload-offset': value }, 'upload-offset')).toBeUndefined();
  });

  it('the PATCH content type is application/offset+octet-stream, parameters ignored', () => {
    expect(isOffsetOctetStream({ 'content-type': 'application/offset+octet-stream' })).toBe(true);
    expect(isOffsetOctetStream({ 'content-type': 'Application/Offset+Octet-Stream; x=1' })).toBe(true);
    for (const value of [undefined, 'application/octet-stream', 'text/plain', ''])
      expect(isOffsetOctetStream({ 'content-type': value })).toBe(false);
  });
});
