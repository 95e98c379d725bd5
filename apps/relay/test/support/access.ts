/**
 * Helpers for the anonymous-access tests (relay.md §3.2, access-tokens.md): token key sets signed
 * at test time, pushed over HTTP, and a refused hello checked all the way (its code, the
 * connection closed, and nothing sent after it served).
 */
import { encodeHello, encodePut, signTokenKeySet, type RelayReply } from '@opendescent/protocol';
import type { TestTokenIssuer } from '@opendescent/protocol/testing';
import {
  RelayClient,
  blobOf,
  errorOf,
  nowSeconds,
  type Ed25519KeyPair,
  type TestOrg,
  type TestQueue,
} from './relay-client';

/** A token key set of exactly these issuers' keys at `setVersion`, signed by `signer` (the organisation's key unless a test plays a stranger). */
export function keySetOf(
  org: TestOrg,
  setVersion: number,
  issuers: readonly TestTokenIssuer[],
  signer: Ed25519KeyPair = org.key,
): Promise<Uint8Array> {
  const keys = issuers.map(({ key }) => ({
    spki: key.spki,
    issueFrom: key.issueFrom,
    issueUntil: key.issueUntil,
    acceptUntil: key.acceptUntil,
  }));
  return signTokenKeySet({ orgId: org.orgId, setVersion, issuedAt: nowSeconds(), keys }, signer.privateKey);
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** POST /token-keys as the admin app does (application/octet-stream). */
export async function pushKeySet(
  relayUrl: string,
  bytes: Uint8Array,
  contentType = 'application/octet-stream',
): Promise<HttpAnswer> {
  const response = await fetch(`${relayUrl}/token-keys`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body: Buffer.from(bytes),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** GET /token-keys: the signed bytes held, or undefined on 404. */
export async function heldKeySet(relayUrl: string): Promise<Uint8Array | undefined> {
  const response = await fetch(`${relayUrl}/token-keys`);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new Error(`GET /token-keys: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** A hello frame from raw token bytes, bypassing the encoder's length check (oversized and empty tokens). */
export function rawHelloFrame(requestId: number, token: Uint8Array): Uint8Array {
  const header = encodeHello({ requestId, token: new Uint8Array(1) }).subarray(0, 6);
  const frame = new Uint8Array(header.length + 2 + token.length);
  frame.set(header);
  new DataView(frame.buffer).setUint16(header.length, token.length);
  frame.set(token, header.length + 2);
  return frame;
}

export interface RefusedHello {
  /** The error code of the hello reply. */
  readonly error: string;
  /** Why socket.io says the connection ended ('io server disconnect': the relay closed it). */
  readonly closedBy: string;
  /** Replies to the frame pipelined right after the hello (none: nothing was served). */
  readonly repliesAfter: readonly RelayReply[];
}

/**
 * Connects, says hello with `token` (or a whole hello frame) and, in the same breath, puts a blob
 * into `witness` (a queue of an authenticated client): a refused hello must close the connection
 * and serve nothing after it. The caller checks that the witness queue is still empty.
 */
export async function refusedHello(
  url: string,
  hello: { token: Uint8Array } | { frame: Uint8Array },
  witness: TestQueue,
): Promise<RefusedHello> {
  const client = await RelayClient.connect(url);
  try {
    const closed = client.disconnected();
    const frame =
      'frame' in hello ? hello.frame : encodeHello({ requestId: client.nextRequestId(), token: hello.token });
    const reply = client.request('hello', frame);
    // Not acknowledged: if it were served, its reply would arrive as a `reply` event.
    client.socket.emit(
      'put',
      encodePut({ requestId: 99, senderId: witness.senderId, ttl: 0, blob: blobOf('after a refused hello') }),
    );
    const error = errorOf(await reply);
    const closedBy = await closed;
    // Give a wrongly served put the time to be answered.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { error, closedBy, repliesAfter: [...client.replies] };
  } finally {
    client.close();
  }
}

/** The blobs pending in a queue, through its owner's connection. */
export async function pendingCount(owner: RelayClient, queue: TestQueue): Promise<number> {
  const reply = await owner.fetch(queue);
  if (!reply.ok || reply.command !== 'fetch') throw new Error(`fetch refused: ${errorOf(reply)}`);
  return reply.messages.length;
}
