import { UploadBuffers } from '../src';

describe('UploadBuffers', () => {
  it('gives two buffers in turn, each again two calls later, and a fresh one for another length', () => {
    const buffers = new UploadBuffers();
    const first = buffers.take(8);
    const second = buffers.take(8);
    expect(second).not.toBe(first);
    expect(buffers.take(8)).toBe(first);
    expect(buffers.take(8)).toBe(second);
    const shorter = buffers.take(5);
    expect(shorter).toHaveLength(5);
    expect(shorter).not.toBe(first);
    // The turn that gave the shorter buffer keeps it; the other still holds `second`.
    expect(buffers.take(8)).toBe(second);
  });
});
