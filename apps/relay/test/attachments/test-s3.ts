/**
 * A real S3-compatible server on loopback for the tests: @20minutes/s3rver (a maintained fork of
 * s3rver), in-process on 127.0.0.1, a port drawn by the system, its objects in a temporary
 * directory, one bucket made at start. Nothing here reaches the network.
 *
 * It is started with `allowMismatchedSignatures`: s3rver signs a bucket-level request (ListObjectsV2,
 * HeadBucket) over the path without the trailing slash the AWS SDK v3 signs, so every such request
 * would fail its signature check. The access key must still be one it knows, so the SDK's default
 * credential chain is still what carries it (AWS_ACCESS_KEY_ID, set here for the test run only).
 * It also reads `Range: bytes=0-0` as the whole object (an end of 0 taken for none), so the tests
 * read no single first byte of a part from it; the slice arithmetic is tested on its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3AttachmentSettings } from '../../src/attachments/s3-attachment-bytes';

/** s3rver's one built-in account. */
const ACCOUNT = 'S3RVER';

export interface TestS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** The relay's settings for this server, under `prefix`. */
  settings(prefix?: string): S3AttachmentSettings;
  /** The relay's environment variables for this server. */
  env(prefix?: string): Record<string, string>;
  /** The key of every object in the bucket (one listing page: the tests hold fewer than 1,000). */
  keys(): Promise<string[]>;
  /** Every object in the bucket: its key and the user metadata S3 would return with it. */
  objects(): Promise<{ readonly key: string; readonly metadata: Record<string, string> }[]>;
  close(): Promise<void>;
}

export async function startTestS3(): Promise<TestS3> {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = ACCOUNT;
  process.env.AWS_SECRET_ACCESS_KEY = ACCOUNT;
  const directory = await mkdtemp(join(tmpdir(), 'relay-s3-test-'));
  const bucket = 'attachments';
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true });
  const settings = (prefix = 'opendescent-attachments/'): S3AttachmentSettings => ({
    endpoint,
    region: 'us-east-1',
    bucket,
    prefix,
    forcePathStyle: true,
  });
  const keys = async (): Promise<string[]> => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (listed.Contents ?? []).map(({ Key }) => Key as string);
  };
  return {
    endpoint,
    bucket,
    settings,
    env: (prefix = 'opendescent-attachments/') => ({
      RELAY_ATTACHMENT_STORE: 's3',
      RELAY_S3_ENDPOINT: endpoint,
      RELAY_S3_BUCKET: bucket,
      RELAY_S3_PREFIX: prefix,
    }),
    keys,
    async objects() {
      const found = await Promise.all(
        (await keys()).map(async (key) => {
          // An object deleted between the listing and this request is simply not there any more.
          const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
          return head ? [{ key, metadata: head.Metadata ?? {} }] : [];
        }),
      );
      return found.flat();
    },
    async close() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
      restore('AWS_ACCESS_KEY_ID', saved.id);
      restore('AWS_SECRET_ACCESS_KEY', saved.secret);
    },
  };
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
