/**
 * The attachment service over a bytes store that fails on demand: a failure answers `unavailable`
 * (503 over HTTP), is logged by its code only, and leaves the index as it was (all-or-nothing).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import {
  attachmentCiphertextLength,
  attachmentHex,
  encodeAttachCreate,
  decodeRelayCommand,
} from '@opendescent/protocol';
import type { Readable } from 'node:stream';
import {
  AttachmentStoreError,
  type AppendOutcome,
  type AttachmentBytes,
  type AttachmentStore,
} from '../../src/attachments/attachment-store';
import { AttachmentService } from '../../src/attachments/attachment.service';
import { FilesystemAttachmentBytes } from '../../src/attachments/filesystem-attachment-bytes';
import { MemoryAttachmentIndex } from '../../src/attachments/memory-attachment-index';
import { composeAttachmentStore } from '../../src/attachments/open-attachment-store';
import { loadRelayConfig } from '../../src/config/relay-config';
import { RelayMetrics } from '../../src/metrics/relay-metrics';
import type { RelayRuntime } from '../../src/runtime/relay-runtime';
import { StoreUnavailableError } from '../../src/store/relay-store';

type Failing = 'create' | 'append' | undefined;

/** Filesystem bytes whose `create` or `append` fails as a full disk does, when asked to. */
class FaultyBytes implements AttachmentBytes {
  failing: Failing;

  constructor(private readonly inner: FilesystemAttachmentBytes) {}

  async create(attachmentId: Uint8Array): Promise<void> {
    if (this.failing === 'create') throw new AttachmentStoreError('ENOSPC');
    return this.inner.create(attachmentId);
  }
  async append(...args: Parameters<AttachmentBytes['append']>): Promise<AppendOutcome> {
    if (this.failing === 'append') throw new AttachmentStoreError('ENOSPC');
    return this.inner.append(...args);
  }
  finish(...args: Parameters<AttachmentBytes['finish']>): Promise<void> {
    return this.inner.finish(...args);
  }
  size(attachmentId: Uint8Array): Promise<number | undefined> {
    return this.inner.size(attachmentId);
  }
  read(...args: Parameters<AttachmentBytes['read']>): Promise<Readable | undefined> {
    return this.inner.read(...args);
  }
  delete(attachmentId: Uint8Array): Promise<void> {
    return this.inner.delete(attachmentId);
  }
  attachmentIds(): Promise<Uint8Array[]> {
    return this.inner.attachmentIds();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

async function* body(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function attachCreate(length: number, ttl = 0) {
  const frame = decodeRelayCommand('attach_create', encodeAttachCreate({ requestId: 1, ttl, length, fetches: 1 }));
  if (frame.command !== 'attach_create') throw new Error('not attach_create');
  return frame;
}

describe('attachment service', () => {
  let directory: string;
  let bytes: FaultyBytes;
  let index: MemoryAttachmentIndex;
  let store: AttachmentStore;
  let service: AttachmentService;
  let now = 1_800_000_000_000;
  const lines: string[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'relay-attachment-service-'));
    bytes = new FaultyBytes(await FilesystemAttachmentBytes.open(directory));
    index = new MemoryAttachmentIndex(1024 ** 3);
    store = await composeAttachmentStore(index, bytes);
    const runtime = {
      config: loadRelayConfig({ RELAY_ATTACHMENT_TTL_SECONDS: '60' }),
      clock: () => now,
      attachments: store,
      metrics: new RelayMetrics(),
      logger: pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) }),
    } as unknown as RelayRuntime;
    service = new AttachmentService(runtime);
  });
  afterEach(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('unavailable at create: nothing reserved, nothing on disk, and the log names the code only', async () => {
    bytes.failing = 'create';
    await expect(service.create(attachCreate(attachmentCiphertextLength(1_000)))).rejects.toThrow(
      StoreUnavailableError,
    );
    expect(index.reservedBytes).toBe(0);
    expect(await index.attachmentIds()).toEqual([]);
    expect(await readdir(directory)).toEqual([]);
    expect(lines.join('')).toContain('"code":"ENOSPC"');
  });

  it('unavailable mid-PATCH: the offset stays, the claim is released, and the upload goes on afterwards', async () => {
    const length = attachmentCiphertextLength(1_000);
    const created = await service.create(attachCreate(length));
    bytes.failing = 'append';
    await expect(service.append(created.uploadId, 0, length, body(new Uint8Array(length)))).rejects.toThrow(
      StoreUnavailableError,
    );
    expect((await service.upload(created.uploadId))?.received).toBe(0);
    bytes.failing = undefined;
    expect(await service.append(created.uploadId, 0, length, body(new Uint8Array(length)))).toEqual({
      outcome: 'appended',
      received: length,
    });
    const text = lines.join('');
    for (const id of [created.uploadId, created.attachmentId]) expect(text).not.toContain(attachmentHex(id));
    expect(text).not.toContain(directory);
  });

  it('expired during a PATCH: answered as unknown, and the bytes are deleted with the record', async () => {
    const length = attachmentCiphertextLength(1_000);
    const created = await service.create(attachCreate(length, 10));
    async function* late(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(100);
      now += 10_000; // the TTL ends while the body is still coming
      yield new Uint8Array(100);
    }
    expect(await service.append(created.uploadId, 0, undefined, late())).toEqual({ outcome: 'unknown' });
    expect(await service.upload(created.uploadId)).toBeUndefined();
    expect(await readdir(directory)).toEqual([]);
  });

  it('the index holds SHA-256 of the upload id, never the id: it cannot be found by the id itself', async () => {
    const created = await service.create(attachCreate(attachmentCiphertextLength(10)));
    expect(await index.byUpload(created.uploadId, now)).toBeUndefined();
    expect(await service.upload(created.uploadId)).toBeDefined();
  });
});
