/** A VaultLike over a Map, for tests that look at every record the messenger writes (unsealed). */
import type { VaultBatchLike, VaultLike } from '../../src/messenger/transaction';
import { AttachmentChunks } from '../../src/store/attachment-chunks';
import { MemoryRecordStore } from '../../src/store/memory-record-store';

export class MapVault implements VaultLike {
  readonly records = new Map<string, unknown>();
  readonly attachmentChunks = new AttachmentChunks(new MemoryRecordStore());
  private key(table: string, group: string, id: string): string {
    return `${table}|${group}|${id}`;
  }
  async get<T>(table: string, group: string, id: string): Promise<T | undefined> {
    return this.records.get(this.key(table, group, id)) as T | undefined;
  }
  async list<T>(table: string, group: string): Promise<T[]> {
    return [...this.records.entries()].filter(([k]) => k.startsWith(`${table}|${group}|`)).map(([, v]) => v as T);
  }
  batch(): VaultBatchLike & { ops: [string, unknown][] } {
    const ops: [string, unknown][] = [];
    return {
      ops,
      put: (t, g, i, v) => ops.push([this.key(t, g, i), v]),
      delete: (t, g, i) => ops.push([this.key(t, g, i), null]),
    };
  }
  async commit(batch: VaultBatchLike): Promise<void> {
    for (const [k, v] of (batch as VaultBatchLike & { ops: [string, unknown][] }).ops) {
      if (v === null) this.records.delete(k);
      else this.records.set(k, v);
    }
  }
}
