// Copies what a set of entry files needs at run time into a self-contained folder: @vercel/nft
// (the tracer Next.js itself uses for `output: 'standalone'`) follows their imports, requires and
// asset reads from the repository root, and each file it finds is copied to the same relative path
// under `out`. The folder then runs with nothing from the repository's own node_modules, so the
// production images carry production code only (issue 17).
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { nodeFileTrace } from '@vercel/nft';

export const root = path.resolve(import.meta.dirname, '../..');

/**
 * @param {string[]} entries files relative to the repository root
 * @param {string} out the self-contained folder
 * @param {{ ignore?: (file: string) => boolean, extra?: string[] }} [options] files never to copy
 *   (already present, or not wanted); files the tracer cannot see (read through a computed path)
 * @returns {Promise<number>} how many files were copied
 */
export async function copyTraced(entries, out, { ignore = () => false, extra = [] } = {}) {
  const { fileList, warnings } = await nodeFileTrace(entries, { base: root, processCwd: root, ignore });
  // Optional peers that NestJS, ws and pg look for inside try/catch: absent on purpose.
  for (const warning of warnings) {
    if (!/^Failed to resolve dependency/.test(warning.message)) throw warning;
  }
  const inside = `${path.relative(root, out)}${path.sep}`;
  let copied = 0;
  for (const file of [...fileList, ...extra]) {
    const target = path.join(out, file);
    // The entries' own folder (dist/relay's compiled sources) is already in place.
    if (file.startsWith(inside) || existsSync(target)) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    const source = path.join(root, file);
    if (lstatSync(source).isSymbolicLink()) cpSync(source, target, { verbatimSymlinks: true });
    else copyFileSync(source, target);
    copied += 1;
  }
  return copied;
}
