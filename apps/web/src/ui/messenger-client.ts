/**
 * The page's handle on the messenger worker: a MessengerApi whose calls go to the worker, and the
 * worker's events. The page never holds a key; see src/messenger/api.ts for the contract.
 */
import type { MessengerApi, MessengerErrorShape, MessengerEvent } from '../messenger/api';
import type { MessengerConfig } from '../messenger/service';
import { createMessengerRpcClient, type RpcInit, type RpcPort } from '../worker/rpc';
import { attachDirectHost } from './direct-host';

export interface MessengerClient {
  readonly api: MessengerApi;
  subscribe(listener: (event: MessengerEvent) => void): () => void;
  /** Called once if the worker cannot start or crashes; every later call rejects. */
  onFailure(listener: (error: MessengerErrorShape) => void): () => void;
  /** Stops the worker (its keys go with it). */
  terminate(): void;
}

const crashed: MessengerErrorShape = { code: 'internal', message: 'the messenger stopped' };

export function startMessenger(config: MessengerConfig): MessengerClient {
  // The literal `new URL(…, import.meta.url)` is what lets the bundler find and build the worker.
  const worker = new Worker(new URL('../worker/messenger.worker.ts', import.meta.url), {
    type: 'module',
    name: 'opendescent-messenger',
  });
  const rpc = createMessengerRpcClient(worker as unknown as RpcPort);
  // The peer connections of direct channels run here; the worker holds the channels (decision 0015).
  const detachDirect = attachDirectHost(worker);
  const failureListeners = new Set<(error: MessengerErrorShape) => void>();
  let failed = false;
  const fail = () => {
    if (failed) return;
    failed = true;
    rpc.fail(crashed);
    for (const listener of [...failureListeners]) listener(crashed);
  };
  // A worker script that cannot load (blocked, missing) or throws at the top level ends up here.
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    fail();
  });
  worker.addEventListener('messageerror', fail);

  worker.postMessage({ type: 'init', config } satisfies RpcInit<MessengerConfig>);

  return {
    api: rpc.api,
    subscribe: rpc.subscribe,
    onFailure(listener) {
      failureListeners.add(listener);
      return () => failureListeners.delete(listener);
    },
    terminate() {
      rpc.fail({ code: 'internal', message: 'the messenger was stopped' });
      rpc.close();
      detachDirect();
      worker.terminate();
    },
  };
}
