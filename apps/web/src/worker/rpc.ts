/**
 * The request/response protocol between the UI (main thread) and the messenger worker, over one
 * postMessage port (a Worker, the worker's global scope, or a MessagePort):
 *
 *   UI → worker   { type: 'init', config }                       once, first (messenger.worker.ts)
 *   UI → worker   { type: 'request', id, method, args }
 *   worker → UI   { type: 'response', id, ok: true, value }
 *   worker → UI   { type: 'response', id, ok: false, error: MessengerErrorShape }
 *   worker → UI   { type: 'event', event: MessengerEvent }
 *
 * Only the methods of MessengerApi are served, each with its arguments checked; anything else is
 * refused. A failure crosses the boundary as a MessengerErrorShape and nothing more: an Error's
 * message, stack or fields (which could carry key material or plaintext) never leave the worker.
 */
import { z } from 'zod';
import {
  MESSENGER_ERROR_CODES,
  type MessengerApi,
  type MessengerErrorCode,
  type MessengerErrorShape,
  type MessengerEvent,
} from '../messenger/api';

/** The part of Worker, DedicatedWorkerGlobalScope and MessagePort (DOM or node:worker_threads) used here. */
export interface RpcPort {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
}

export type MessengerMethod = keyof MessengerApi;

const address = z.string().min(1).max(320);
const id = z.string().min(1).max(200);
/**
 * A device-link code as typed (39 characters with its dashes) or a scanned QR payload (122):
 * user-keys.md §3.1-3.2. 512 leaves room for the spaces a person adds, and refuses a stray paste.
 */
const linkCode = z.string().min(1).max(512);
/**
 * The text of a safety QR code scanned from the other person's screen: its prefix and 62 bytes in
 * base64url make 108 characters (user-keys.md §5.2); 512, as for a link code, refuses a stray paste.
 */
const safetyQr = z.string().min(1).max(512);

/** A message's id in its conversation (this vault's key: an id, or a device and an id). */
const messageId = z.string().min(1).max(200);

/** What a text or a file's caption may say besides its words (messages.md §5.8). */
const textOptions = z.strictObject({ replyTo: messageId.optional(), mentions: z.array(address).max(50).optional() });

/** Group settings a creator or an administrator chooses (groups.md §2). */
const groupSettings = z.strictObject({
  announcementOnly: z.boolean().optional(),
  addBy: z.enum(['admins', 'everyone']).optional(),
});

/** Every served method with the arguments it accepts: the allow-list and a first shape check. */
const ARGUMENTS = {
  snapshot: z.tuple([]),
  createVault: z.tuple([z.string().max(1024)]),
  unlock: z.tuple([z.string().max(1024)]),
  lock: z.tuple([]),
  enrol: z.union([z.tuple([z.string().max(256)]), z.tuple([z.string().max(256), z.string().max(2048).optional()])]),
  startDirect: z.tuple([address]),
  createGroup: z.union([
    z.tuple([z.string().max(200), z.array(address).max(1000)]),
    z.tuple([z.string().max(200), z.array(address).max(1000), groupSettings]),
  ]),
  setRole: z.tuple([id, address, z.enum(['admin', 'member'])]),
  setTitle: z.tuple([id, z.string().max(200)]),
  setGroupSettings: z.tuple([id, groupSettings]),
  addMember: z.tuple([id, address]),
  removeMember: z.tuple([id, address]),
  leave: z.tuple([id]),
  send: z.union([z.tuple([id, z.string().max(100_000)]), z.tuple([id, z.string().max(100_000), textOptions])]),
  react: z.tuple([id, messageId, z.string().min(1).max(32).nullable()]),
  editMessage: z.tuple([id, messageId, z.string().max(100_000)]),
  deleteForEveryone: z.tuple([id, messageId]),
  setTyping: z.tuple([id, z.boolean()]),
  setPreferences: z.tuple([
    z.strictObject({
      readReceipts: z.boolean().optional(),
      typingIndicators: z.boolean().optional(),
      directChannels: z.enum(['off', 'direct', 'turn_only']).optional(),
    }),
  ]),
  setNotify: z.tuple([id, z.enum(['all', 'mentions', 'none'])]),
  sendFile: z.union([
    z.tuple([id, z.instanceof(Blob), z.string().max(1_000)]),
    z.tuple([id, z.instanceof(Blob), z.string().max(1_000), z.string().max(100_000)]),
    z.tuple([id, z.instanceof(Blob), z.string().max(1_000), z.string().max(100_000), textOptions]),
  ]),
  cancelAttachment: z.tuple([id, messageId]),
  fetchAttachment: z.tuple([id, messageId]),
  openAttachment: z.tuple([id, messageId]),
  searchMessages: z.union([z.tuple([z.string().max(1_000)]), z.tuple([z.string().max(1_000), id])]),
  messages: z.tuple([id]),
  messagePage: z.tuple([
    id,
    z.strictObject({
      before: z.strictObject({ sentAt: z.number(), receivedAt: z.number(), id }).optional(),
      limit: z.number().int().min(1).max(200),
    }),
  ]),
  markRead: z.tuple([id]),
  setDisappearing: z.tuple([id, z.number().int().positive().nullable()]),
  safetyNumbers: z.tuple([id]),
  markVerified: z.tuple([address]),
  verifySafetyQr: z.tuple([address, safetyQr]),
  shareHistory: z.tuple([id, address, z.number().int().min(1).max(100)]),
  enablePasskey: z.tuple([z.string().min(1).max(1024), z.string().min(1).max(128), z.instanceof(Uint8Array)]),
  unlockWithPasskey: z.tuple([z.instanceof(Uint8Array)]),
  disablePasskey: z.tuple([]),
  wipe: z.tuple([]),
  startDeviceLink: z.tuple([]),
  cancelDeviceLink: z.tuple([]),
  checkDeviceLink: z.tuple([linkCode]),
  approveDeviceLink: z.tuple([linkCode]),
  acceptUserKey: z.tuple([address]),
} satisfies Record<MessengerMethod, z.ZodType<unknown[]>>;

export const MESSENGER_METHODS = Object.keys(ARGUMENTS) as readonly MessengerMethod[];

const ERROR_CODES: ReadonlySet<string> = new Set<MessengerErrorCode>(MESSENGER_ERROR_CODES);

const MAX_ERROR_MESSAGE = 300;

export interface RpcRequest {
  readonly type: 'request';
  readonly id: number;
  readonly method: string;
  readonly args: readonly unknown[];
}

export type RpcResponse =
  | { readonly type: 'response'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'response'; readonly id: number; readonly ok: false; readonly error: MessengerErrorShape };

export interface RpcEvent {
  readonly type: 'event';
  readonly event: MessengerEvent;
}

export interface RpcInit<Config> {
  readonly type: 'init';
  readonly config: Config;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const isServedMethod = (method: unknown): method is MessengerMethod =>
  typeof method === 'string' && Object.prototype.hasOwnProperty.call(ARGUMENTS, method);

/**
 * What may cross to the UI for a failure: a messenger error's stable code and its short message
 * for people; for anything else (a bug, a TypeError, a crypto failure) only `internal`.
 */
export function toErrorShape(error: unknown): MessengerErrorShape {
  if (isRecord(error) && typeof error['code'] === 'string' && ERROR_CODES.has(error['code'])) {
    const message = typeof error['message'] === 'string' ? error['message'].slice(0, MAX_ERROR_MESSAGE) : '';
    return { code: error['code'] as MessengerErrorCode, message };
  }
  return { code: 'internal', message: 'internal error' };
}

/** True for a well-formed MessengerErrorShape (what a UI `catch` receives from the proxy). */
export function isMessengerError(value: unknown): value is MessengerErrorShape {
  return (
    isRecord(value) &&
    typeof value['code'] === 'string' &&
    ERROR_CODES.has(value['code']) &&
    typeof value['message'] === 'string'
  );
}

/**
 * The worker side: answers requests arriving on `port` with `api`. Returns a function that stops
 * serving. Requests that are not objects with a numeric id are dropped (there is no one to answer).
 */
export function serveMessengerApi(port: RpcPort, api: MessengerApi): () => void {
  const answer = (response: RpcResponse) => port.postMessage(response);
  const refuse = (requestId: number, message: string) =>
    answer({ type: 'response', id: requestId, ok: false, error: { code: 'internal', message } });

  const onMessage = ({ data }: { readonly data: unknown }) => {
    if (!isRecord(data) || data['type'] !== 'request' || !Number.isSafeInteger(data['id'])) return;
    const requestId = data['id'] as number;
    const method = data['method'];
    if (!isServedMethod(method)) return refuse(requestId, 'unknown method');
    const args = ARGUMENTS[method].safeParse(data['args']);
    if (!args.success) return refuse(requestId, `malformed arguments for ${method}`);

    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve((api[method] as (...values: unknown[]) => Promise<unknown>).apply(api, args.data));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        try {
          answer({ type: 'response', id: requestId, ok: true, value });
        } catch {
          // A value that cannot be cloned is a messenger bug; say so without the value.
          refuse(requestId, 'internal error');
        }
      },
      (error: unknown) => answer({ type: 'response', id: requestId, ok: false, error: toErrorShape(error) }),
    );
  };

  port.addEventListener('message', onMessage);
  return () => port.removeEventListener('message', onMessage);
}

/**
 * The worker's start: waits for the `init` message, makes the messenger from its config, then
 * serves it and forwards its events. Requests that arrive before `init` are refused.
 */
export function serveMessengerWorker<Config>(
  port: RpcPort,
  parseConfig: (config: unknown) => Config,
  createMessenger: (config: Config, emit: (event: MessengerEvent) => void) => MessengerApi,
): void {
  const onFirstMessage = ({ data }: { readonly data: unknown }) => {
    if (!isRecord(data)) return;
    if (data['type'] === 'request' && Number.isSafeInteger(data['id'])) {
      const refusal: RpcResponse = {
        type: 'response',
        id: data['id'] as number,
        ok: false,
        error: { code: 'internal', message: 'the messenger has not started' },
      };
      port.postMessage(refusal);
      return;
    }
    if (data['type'] !== 'init') return;
    port.removeEventListener('message', onFirstMessage);
    const emit = (event: MessengerEvent) => port.postMessage({ type: 'event', event } satisfies RpcEvent);
    let api: MessengerApi;
    try {
      api = createMessenger(parseConfig(data['config']), emit);
    } catch (error) {
      // Every later request is answered with this failure, so the UI can show it.
      const failure = toErrorShape(error);
      port.addEventListener('message', ({ data: request }) => {
        if (isRecord(request) && request['type'] === 'request' && Number.isSafeInteger(request['id'])) {
          port.postMessage({
            type: 'response',
            id: request['id'] as number,
            ok: false,
            error: failure,
          } satisfies RpcResponse);
        }
      });
      return;
    }
    serveMessengerApi(port, api);
  };
  port.addEventListener('message', onFirstMessage);
}

export interface MessengerRpcClient {
  /** Each call resolves with the worker's value or rejects with a MessengerErrorShape. */
  readonly api: MessengerApi;
  /** Worker events; returns the unsubscribe function. */
  subscribe(listener: (event: MessengerEvent) => void): () => void;
  /** Rejects every pending call with `error` and refuses later ones (the worker died or was stopped). */
  fail(error: MessengerErrorShape): void;
  /** Stops listening on the port. */
  close(): void;
}

/** The UI side: a MessengerApi whose every method is a request to the worker behind `port`. */
export function createMessengerRpcClient(port: RpcPort): MessengerRpcClient {
  let nextId = 1;
  let failure: MessengerErrorShape | undefined;
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: MessengerErrorShape) => void }
  >();
  const listeners = new Set<(event: MessengerEvent) => void>();

  const onMessage = ({ data }: { readonly data: unknown }) => {
    if (!isRecord(data)) return;
    if (data['type'] === 'event' && isRecord(data['event'])) {
      const event = data['event'] as unknown as MessengerEvent;
      for (const listener of [...listeners]) listener(event);
      return;
    }
    if (data['type'] !== 'response' || typeof data['id'] !== 'number') return;
    const call = pending.get(data['id']);
    if (!call) return;
    pending.delete(data['id']);
    if (data['ok'] === true) call.resolve(data['value']);
    else
      call.reject(
        isMessengerError(data['error']) ? toErrorShape(data['error']) : { code: 'internal', message: 'internal error' },
      );
  };
  port.addEventListener('message', onMessage);

  const call = (method: MessengerMethod, args: readonly unknown[]): Promise<unknown> => {
    if (failure) return Promise.reject(failure);
    const requestId = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(requestId, { resolve, reject });
      try {
        port.postMessage({ type: 'request', id: requestId, method, args: [...args] } satisfies RpcRequest);
      } catch {
        pending.delete(requestId);
        reject({ code: 'internal', message: 'internal error' } satisfies MessengerErrorShape);
      }
    });
  };

  const api = Object.fromEntries(
    MESSENGER_METHODS.map((method) => [method, (...args: unknown[]) => call(method, args)]),
  ) as unknown as MessengerApi;

  return {
    api,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fail(error) {
      failure = error;
      for (const { reject } of pending.values()) reject(error);
      pending.clear();
    },
    close() {
      port.removeEventListener('message', onMessage);
    },
  };
}
