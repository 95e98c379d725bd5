/** Bytes under a folder (what a browser profile's IndexedDB takes on disk). */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function du(dir: string): number | undefined {
  const info = statSync(dir, { throwIfNoEntry: false });
  if (!info) return undefined;
  if (!info.isDirectory()) return info.size;
  return readdirSync(dir).reduce((sum, name) => sum + (du(path.join(dir, name)) ?? 0), 0);
}
