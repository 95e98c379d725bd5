/**
 * The worker's side of direct channels (decision 0015): the messenger's DirectHostPort, carried
 * over the worker's port to the page, which runs the peer connections (src/ui/direct-host.ts).
 *
 *   worker → page   { type: 'direct', id, op: 'offer' | 'answer' | 'accept' | 'close', channel, sdp?, ice? }
 *   page → worker   { type: 'direct_link', channel, link }            (the RTCDataChannel, transferred)
 *   page → worker   { type: 'direct_reply', id, ok, sdp? }
 *   page → worker   { type: 'direct_event', event: 'connected' | 'failed', channel, certificate? }
 *
 * The page sees SDP only. What comes back is checked here: a reply names a request of ours, a
 * link a channel id we asked for, an SDP is a string (the messenger checks it against §4).
 */
import type { DirectHostPort, DirectLink, IceOptions, LocalSide } from '../messenger/direct/direct-ports';
import { dataChannelLink } from './direct-link';
import type { RpcPort } from './rpc';

export type DirectOp = 'offer' | 'answer' | 'accept' | 'close';

export interface DirectRequest {
  readonly type: 'direct';
  readonly id: number;
  readonly op: DirectOp;
  readonly channel: string;
  readonly sdp?: string;
  readonly ice?: IceOptions;
}

const CHANNEL_ID = /^[0-9a-f]{32}$/;
/** The page answers an offer or answer within its 2 s of gathering; this bounds a page that never does. */
const REPLY_TIMEOUT_MS = 10_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function createDirectBridge(port: RpcPort): DirectHostPort {
  let nextId = 1;
  const pending = new Map<number, { resolve: (sdp: string) => void; reject: (error: Error) => void }>();
  const asked = new Set<string>();
  const links = new Map<string, DirectLink>();
  const connected: ((channel: string, certificate: Uint8Array) => void)[] = [];
  const failed: ((channel: string) => void)[] = [];

  port.addEventListener('message', ({ data }) => {
    if (!isRecord(data) || typeof data['type'] !== 'string' || !data['type'].startsWith('direct_')) return;
    const channel = typeof data['channel'] === 'string' && CHANNEL_ID.test(data['channel']) ? data['channel'] : '';
    if (data['type'] === 'direct_link' && asked.has(channel) && typeof RTCDataChannel !== 'undefined') {
      if (data['link'] instanceof RTCDataChannel) links.set(channel, dataChannelLink(data['link']));
    } else if (data['type'] === 'direct_reply' && typeof data['id'] === 'number') {
      const call = pending.get(data['id']);
      if (!call) return;
      pending.delete(data['id']);
      if (data['ok'] === true) call.resolve(typeof data['sdp'] === 'string' ? data['sdp'] : '');
      else call.reject(new Error('the page could not do it'));
    } else if (data['type'] === 'direct_event' && asked.has(channel)) {
      if (data['event'] === 'failed') for (const listener of failed) listener(channel);
      const certificate = data['certificate'];
      if (data['event'] === 'connected' && certificate instanceof Uint8Array)
        for (const listener of connected) listener(channel, certificate);
    }
  });

  const request = (op: DirectOp, channel: string, extra: { sdp?: string; ice?: IceOptions } = {}): Promise<string> => {
    const id = nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the page did not answer'));
      }, REPLY_TIMEOUT_MS);
      pending.set(id, {
        resolve: (sdp) => {
          clearTimeout(timer);
          resolve(sdp);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      port.postMessage({ type: 'direct', id, op, channel, ...extra } satisfies DirectRequest);
    });
  };

  const local = async (channel: string, sdp: Promise<string>): Promise<LocalSide> => {
    const description = await sdp;
    const link = links.get(channel);
    links.delete(channel);
    if (!link) throw new Error('the page gave no data channel');
    return { sdp: description, link };
  };

  return {
    offer(channel, ice) {
      asked.add(channel);
      return local(channel, request('offer', channel, { ice }));
    },
    answer(channel, offerSdp, ice) {
      asked.add(channel);
      return local(channel, request('answer', channel, { sdp: offerSdp, ice }));
    },
    async accept(channel, answerSdp) {
      await request('accept', channel, { sdp: answerSdp });
    },
    close(channel) {
      if (!asked.delete(channel)) return;
      links.delete(channel);
      port.postMessage({ type: 'direct', id: nextId++, op: 'close', channel } satisfies DirectRequest);
    },
    onConnected: (listener) => void connected.push(listener),
    onFailed: (listener) => void failed.push(listener),
  };
}
