/**
 * Which file the composer sends from a pick, a paste or a drop (attachment-input.ts): one file is
 * sent, several are refused as a whole, and text stays text (a paste from an office suite carries
 * a picture of the cells beside their words).
 */
import { carriesFiles, droppedFiles, pastedFiles, pickedFiles } from '../../src/ui/main/attachment-input';

const report = new File([new Uint8Array([1, 2, 3])], 'report.pdf', { type: 'application/pdf' });
const screenshot = new File([new Uint8Array([4])], 'image.png', { type: 'image/png' });

describe('picked files', () => {
  it('takes the one file of a pick', () => {
    expect(pickedFiles([report])).toEqual({ kind: 'one', file: report });
  });

  it('refuses several at once as a whole, counted', () => {
    expect(pickedFiles([report, screenshot])).toEqual({ kind: 'several', count: 2 });
  });

  it('finds nothing in a cancelled pick (no FileList, or an empty one)', () => {
    expect(pickedFiles(null)).toEqual({ kind: 'none' });
    expect(pickedFiles([])).toEqual({ kind: 'none' });
  });
});

describe('a paste', () => {
  it('sends a pasted screenshot (a file, no text)', () => {
    expect(pastedFiles({ files: [screenshot], types: ['Files'] })).toEqual({ kind: 'one', file: screenshot });
  });

  it('sends a file copied in a file manager (its name comes as plain text beside it)', () => {
    expect(pastedFiles({ files: [report], types: ['text/plain', 'Files'] })).toEqual({ kind: 'one', file: report });
  });

  it('leaves rich text as text although it carries a picture of itself (cells copied from a spreadsheet)', () => {
    expect(pastedFiles({ files: [screenshot], types: ['text/plain', 'text/html', 'Files'] })).toEqual({ kind: 'none' });
  });

  it('leaves plain text to the text field', () => {
    expect(pastedFiles({ files: [], types: ['text/plain'] })).toEqual({ kind: 'none' });
    expect(pastedFiles(null)).toEqual({ kind: 'none' });
  });
});

describe('a drop', () => {
  it('sends a dropped file', () => {
    expect(droppedFiles({ files: [report], types: ['Files'] })).toEqual({ kind: 'one', file: report });
  });

  it('refuses several dropped files, counted', () => {
    expect(droppedFiles({ files: [report, screenshot], types: ['Files'] })).toEqual({ kind: 'several', count: 2 });
  });

  it('ignores dropped text or a link (no drop zone for them either)', () => {
    const link = { files: [], types: ['text/uri-list', 'text/plain'] };
    expect(droppedFiles(link)).toEqual({ kind: 'none' });
    expect(carriesFiles(link)).toBe(false);
    expect(carriesFiles({ types: ['Files'] })).toBe(true);
    expect(carriesFiles(null)).toBe(false);
  });
});
