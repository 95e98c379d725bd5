/**
 * Files sealed for a message that was never composed (the tab closed, or the vault was locked, while
 * sealing): their chunks are swept at the next run's start, never a file the current run is still
 * sealing (attachment-sealing.ts).
 */
import { forgetSealing, noteSealing, sweepUnfinishedSealing } from '../../src/messenger/attachment-sealing';
import { MapVault } from './map-vault';

async function storeFile(vault: MapVault, localId: string): Promise<void> {
  await vault.attachmentChunks.put(localId, 0, [new Uint8Array(64), new Uint8Array(64)]);
}

test("an earlier run's unfinished sealing is swept with its chunks; this run's is left alone", async () => {
  const vault = new MapVault();
  await storeFile(vault, 'a'.repeat(32));
  await noteSealing(vault, 'a'.repeat(32), 'earlier-run', 1);
  await storeFile(vault, 'b'.repeat(32));
  await noteSealing(vault, 'b'.repeat(32), 'this-run', 2);
  await storeFile(vault, 'c'.repeat(32)); // a file of a composed message: no note
  expect(await sweepUnfinishedSealing(vault, 'this-run')).toBe(1);
  expect((await vault.attachmentChunks.localIds()).sort()).toEqual(['b'.repeat(32), 'c'.repeat(32)]);
  // Swept once: a second sweep finds nothing more.
  expect(await sweepUnfinishedSealing(vault, 'this-run')).toBe(0);
});

test('a note forgotten once its message is composed leaves the file to its message', async () => {
  const vault = new MapVault();
  await storeFile(vault, 'd'.repeat(32));
  await noteSealing(vault, 'd'.repeat(32), 'earlier-run', 1);
  await forgetSealing(vault, 'd'.repeat(32));
  expect(await sweepUnfinishedSealing(vault, 'next-run')).toBe(0);
  expect(await vault.attachmentChunks.localIds()).toEqual(['d'.repeat(32)]);
});
