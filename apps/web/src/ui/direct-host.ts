/**
 * The page's side of direct channels (decision 0015): a dedicated worker has no RTCPeerConnection,
 * so the page runs one per channel the worker asks for (src/worker/direct-bridge.ts gives the
 * protocol). It makes the one negotiated data channel (`od1`, id 0) and transfers it to the worker
 * at once, so frames never pass through the page's code; it hands back complete SDP (at most 2 s
 * of gathering, no trickle) and, once DTLS is up, the peer's certificate for the worker to check
 * against the fingerprint that came through the ratchet. It holds no key and sees no frame.
 */
import { MAX_DIRECT_SDP_CHARS } from '@opendescent/protocol';
import type { IceOptions } from '../messenger/direct/direct-ports';

const CHANNEL_ID = /^[0-9a-f]{32}$/;
/** Candidates gathered for at most this long (direct.md §3). */
export const GATHERING_MS = 2_000;
const MAX_ICE_SERVERS = 8;

interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The ICE options as the worker sent them, checked; anything odd is no server at all. */
function iceConfiguration(ice: unknown): RTCConfiguration {
  const options = isRecord(ice) ? (ice as Partial<IceOptions>) : {};
  const servers = Array.isArray(options.servers) ? options.servers.slice(0, MAX_ICE_SERVERS) : [];
  return {
    iceTransportPolicy: options.policy === 'relay' ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
    iceServers: servers.flatMap((server) =>
      isRecord(server) && Array.isArray(server.urls) && server.urls.every((url) => typeof url === 'string')
        ? [
            {
              urls: [...server.urls],
              ...(typeof server.username === 'string' ? { username: server.username } : {}),
              ...(typeof server.credential === 'string' ? { credential: server.credential } : {}),
            },
          ]
        : [],
    ),
  };
}

/** Resolves once gathering completes, or after GATHERING_MS with what was found. */
function gathered(connection: RTCPeerConnection): Promise<void> {
  if (connection.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, GATHERING_MS);
    function done() {
      clearTimeout(timer);
      connection.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    function check() {
      if (connection.iceGatheringState === 'complete') done();
    }
    connection.addEventListener('icegatheringstatechange', check);
  });
}

/** The DER of the peer's DTLS certificate, or empty bytes when the browser gives none. */
function remoteCertificate(connection: RTCPeerConnection): Uint8Array {
  const transport = connection.sctp?.transport as
    (RTCDtlsTransport & { getRemoteCertificates?: () => ArrayBuffer[] }) | undefined;
  const der = transport?.getRemoteCertificates?.()[0];
  return der ? new Uint8Array(der) : new Uint8Array(0);
}

/** Serves the worker's direct-channel requests until the returned function is called. */
export function attachDirectHost(worker: WorkerLike): () => void {
  const connections = new Map<string, RTCPeerConnection>();

  const close = (channel: string) => {
    connections.get(channel)?.close();
    connections.delete(channel);
  };

  const open = (channel: string, ice: unknown): RTCPeerConnection => {
    close(channel);
    const connection = new RTCPeerConnection(iceConfiguration(ice));
    connections.set(channel, connection);
    // Made and transferred in the same task, before any other use: the worker owns it from here.
    const link = connection.createDataChannel('od1', { negotiated: true, id: 0, ordered: true });
    worker.postMessage({ type: 'direct_link', channel, link }, [link as unknown as Transferable]);
    let reported = false;
    connection.addEventListener('connectionstatechange', () => {
      if (connections.get(channel) !== connection) return;
      const state = connection.connectionState;
      if (state === 'connected' && !reported) {
        reported = true;
        const certificate = remoteCertificate(connection);
        worker.postMessage({ type: 'direct_event', event: 'connected', channel, certificate });
      } else if (state === 'failed' || state === 'closed' || state === 'disconnected') {
        worker.postMessage({ type: 'direct_event', event: 'failed', channel });
        close(channel);
      }
    });
    return connection;
  };

  const localSdp = async (connection: RTCPeerConnection): Promise<string> => {
    await gathered(connection);
    const sdp = connection.localDescription?.sdp ?? '';
    if (sdp.length === 0 || sdp.length > MAX_DIRECT_SDP_CHARS) throw new Error('no usable local description');
    return sdp;
  };

  const serve = async (op: unknown, channel: string, data: Record<string, unknown>): Promise<string | undefined> => {
    const sdp = typeof data['sdp'] === 'string' && data['sdp'].length <= MAX_DIRECT_SDP_CHARS ? data['sdp'] : undefined;
    if (op === 'offer') {
      const connection = open(channel, data['ice']);
      await connection.setLocalDescription(await connection.createOffer());
      return localSdp(connection);
    }
    if (op === 'answer' && sdp) {
      const connection = open(channel, data['ice']);
      await connection.setRemoteDescription({ type: 'offer', sdp });
      await connection.setLocalDescription(await connection.createAnswer());
      return localSdp(connection);
    }
    if (op === 'accept' && sdp) {
      const connection = connections.get(channel);
      if (!connection) throw new Error('no such channel');
      await connection.setRemoteDescription({ type: 'answer', sdp });
      return undefined;
    }
    if (op === 'close') return void close(channel);
    throw new Error('not a direct-channel request');
  };

  const onMessage = ({ data }: MessageEvent<unknown>) => {
    if (!isRecord(data) || data['type'] !== 'direct' || typeof data['id'] !== 'number') return;
    const channel = data['channel'];
    if (typeof channel !== 'string' || !CHANNEL_ID.test(channel)) return;
    const id = data['id'];
    serve(data['op'], channel, data).then(
      (sdp) => worker.postMessage({ type: 'direct_reply', id, ok: true, ...(sdp ? { sdp } : {}) }),
      () => {
        close(channel);
        worker.postMessage({ type: 'direct_reply', id, ok: false });
      },
    );
  };

  if (typeof RTCPeerConnection === 'undefined') return () => undefined;
  worker.addEventListener('message', onMessage);
  return () => {
    worker.removeEventListener('message', onMessage);
    for (const channel of [...connections.keys()]) close(channel);
  };
}
