/**
 * A V8 heap snapshot of the live relay (every JavaScript string it holds), taken the way an
 * operator with a shell on its machine can: Node's `--heapsnapshot-signal`. The system is started
 * with heapSnapshotEnv, which every process start.mjs starts inherits (only a signal handler and
 * the folder snapshots go to: nothing changes until a process is sent the signal); only the relay
 * is sent it. A heap snapshot holds strings but not the bytes of ArrayBuffers, so a search for
 * file bytes reads the process's memory too (process-memory.ts).
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Not SIGUSR2: Nest's enableShutdownHooks stops the relay on it. SIGWINCH's default action is to
 * ignore it, so a process without the handler would not notice it either.
 */
const SIGNAL = 'SIGWINCH';

/** NODE_OPTIONS for startSystem: a snapshot on SIGNAL, written into `dir`. */
export function heapSnapshotEnv(dir: string): Record<string, string> {
  const options = [process.env.NODE_OPTIONS, `--heapsnapshot-signal=${SIGNAL}`, `--diagnostic-dir=${dir}`];
  return { NODE_OPTIONS: options.filter(Boolean).join(' ') };
}

export interface HeapSnapshot {
  /** The snapshot file as written (JSON; strings outside ASCII are \u escapes in it). */
  readonly raw: Buffer;
  /** Every string of the heap, unescaped. */
  readonly strings: readonly string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Signals `pid`, waits for its snapshot (Heap.<date>.<time>.<pid>.<thread>.<seq>.heapsnapshot) to
 * be written whole, reads it and deletes it.
 */
export async function takeHeapSnapshot(pid: number, dir: string, timeoutMs = 90_000): Promise<HeapSnapshot> {
  const ours = (name: string) =>
    name.startsWith('Heap.') && name.includes(`.${pid}.`) && name.endsWith('.heapsnapshot');
  const before = new Set(readdirSync(dir).filter(ours));
  process.kill(pid, SIGNAL);
  const deadline = Date.now() + timeoutMs;
  let lastSize = -1;
  while (Date.now() < deadline) {
    await sleep(500);
    const name = readdirSync(dir).find((entry) => ours(entry) && !before.has(entry));
    if (!name) continue;
    const file = path.join(dir, name);
    const size = statSync(file).size;
    // Empty while V8 walks the heap, then written as a stream: whole once its size holds still and it parses.
    if (size === 0 || size !== lastSize) {
      lastSize = size;
      continue;
    }
    const raw = readFileSync(file);
    let strings: string[];
    try {
      strings = (JSON.parse(raw.toString('utf8')) as { strings: string[] }).strings;
    } catch {
      continue;
    }
    rmSync(file, { force: true });
    return { raw, strings };
  }
  throw new Error(`no heap snapshot of process ${pid} in ${dir} within ${timeoutMs} ms`);
}

/**
 * How often `needle` occurs in the snapshot: in its strings (whatever their encoding in the
 * heap), and in the file's bytes as UTF-8 and as UTF-16.
 */
export function heapOccurrences(snapshot: HeapSnapshot, needle: string): number {
  let count = 0;
  for (const text of snapshot.strings) {
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) count++;
  }
  for (const form of [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')]) {
    for (let at = snapshot.raw.indexOf(form); at !== -1; at = snapshot.raw.indexOf(form, at + 1)) count++;
  }
  return count;
}
