/**
 * What an operator with root on the relay's machine can read: every readable mapping of a live
 * process, through /proc/<pid>/maps and /proc/<pid>/mem (what a core dump holds). Root, or the
 * ptrace right over the process, is needed; the e2e machines run the tests as root.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/** Larger mappings are reserved address space (V8's cage), not data. */
const MAX_REGION_BYTES = 512 * 1024 * 1024;

export function processMemory(pid: number): Buffer[] {
  const regions: Buffer[] = [];
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
      const [range, perms] = line.split(' ');
      if (!range || !perms?.startsWith('r')) continue;
      const [start, end] = range.split('-').map((hex) => BigInt(`0x${hex}`));
      if (start === undefined || end === undefined) continue;
      const length = Number(end - start);
      if (length > MAX_REGION_BYTES) continue;
      const buffer = Buffer.alloc(length);
      try {
        readSync(fd, buffer, 0, length, start);
        regions.push(buffer);
      } catch {
        // A guard page or a mapping that went away while we read: nothing to find there.
      }
    }
  } finally {
    closeSync(fd);
  }
  return regions;
}

/** How often `needle` occurs in the dump, as Latin-1/UTF-8 bytes and as UTF-16 (V8's two-byte strings). */
export function occurrences(regions: readonly Buffer[], needle: string | Uint8Array): number {
  const forms =
    typeof needle === 'string' ? [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')] : [Buffer.from(needle)];
  let count = 0;
  for (const region of regions) {
    for (const form of forms) {
      for (let at = region.indexOf(form); at !== -1; at = region.indexOf(form, at + 1)) count++;
    }
  }
  return count;
}

/** The pid of the system's relay process (the one running apps/relay/src/main.ts among `pids`). */
export function relayPid(pids: readonly number[]): number {
  const found = pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('apps/relay/src/main.ts');
    } catch {
      return false;
    }
  });
  if (found.length !== 1) throw new Error(`expected one relay process, found ${found.length}`);
  return found[0] as number;
}
