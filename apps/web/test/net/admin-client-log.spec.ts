/**
 * The transparency log's endpoints as the web client reads them (transparency-log.md §5): what it
 * asks for (the leaf hash and sizes in the query, nothing else), the answers parsed with the
 * shared schemas into bytes, and an answer that is not the log's refused as malformed_response,
 * never half-read. The proofs themselves are the caller's to check (log-monitor.ts).
 */
import { randomBytes } from 'node:crypto';
import { TREE_HEAD_BYTES } from '@opendescent/protocol';
import { AdminClient, AdminRequestError } from '../../src/net/admin-client';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** An injected fetch answering with `body` (JSON), recording the URLs asked for. */
function answering(status: number, body: unknown): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const fake: typeof fetch = async (input) => {
    urls.push(String(input));
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetch: fake, urls };
}

const client = (server: { fetch: typeof fetch }) =>
  new AdminClient('https://admin.example.org', { fetch: server.fetch });
const failure = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('AdminClient and the transparency log', () => {
  it('logHead(): the signed tree head as bytes, for the caller to verify', async () => {
    const head = new Uint8Array(randomBytes(TREE_HEAD_BYTES));
    const server = answering(200, { treeHead: b64(head) });
    expect(await client(server).logHead()).toEqual(head);
    expect(server.urls).toEqual(['https://admin.example.org/api/v1/log/head']);
  });

  it('logInclusion(): asks with the leaf hash and the size of a head held, returns the proof nodes as bytes', async () => {
    const leafHash = new Uint8Array(randomBytes(32));
    const nodes = [new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(32))];
    const server = answering(200, { leafIndex: 3, treeSize: 9, proof: nodes.map(b64) });
    expect(await client(server).logInclusion(leafHash, 9)).toEqual({ leafIndex: 3, treeSize: 9, proof: nodes });
    expect(server.urls).toEqual([
      `https://admin.example.org/api/v1/log/inclusion?leafHash=${b64(leafHash)}&treeSize=9`,
    ]);
  });

  it('logConsistency(): the proof between two sizes, as bytes', async () => {
    const nodes = [new Uint8Array(randomBytes(32))];
    const server = answering(200, { from: 4, to: 9, proof: nodes.map(b64) });
    expect(await client(server).logConsistency(4, 9)).toEqual(nodes);
    expect(server.urls).toEqual(['https://admin.example.org/api/v1/log/consistency?from=4&to=9']);
  });

  it.each([
    ['a head of the wrong length', () => client(answering(200, { treeHead: b64(new Uint8Array(100)) })).logHead()],
    [
      'a head with an extra field',
      () => client(answering(200, { treeHead: b64(new Uint8Array(TREE_HEAD_BYTES)), root: 'x' })).logHead(),
    ],
    [
      'a proof node of 31 bytes',
      () =>
        client(answering(200, { leafIndex: 0, treeSize: 1, proof: [b64(new Uint8Array(31))] })).logInclusion(
          new Uint8Array(32),
          1,
        ),
    ],
    [
      'a proof of 65 nodes',
      () =>
        client(
          answering(200, { from: 1, to: 2, proof: Array.from({ length: 65 }, () => b64(new Uint8Array(32))) }),
        ).logConsistency(1, 2),
    ],
    [
      'a negative index',
      () => client(answering(200, { leafIndex: -1, treeSize: 1, proof: [] })).logInclusion(new Uint8Array(32), 1),
    ],
  ])('refuses %s as malformed_response', async (_what, work) => {
    const error = await failure(work());
    expect(error).toBeInstanceOf(AdminRequestError);
    expect(error).toMatchObject({ code: 'malformed_response' });
  });

  it('passes the log’s own refusals through by code: not_in_log, unknown_tree_size', async () => {
    for (const code of ['not_in_log', 'unknown_tree_size']) {
      const error = await failure(
        client(answering(404, { error: code, message: 'no' })).logInclusion(new Uint8Array(32), 5),
      );
      expect(error).toMatchObject({ status: 404, code });
    }
  });
});
