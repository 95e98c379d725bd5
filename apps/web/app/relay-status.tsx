'use client';

import { parseRelayHealth, ProtocolError } from '@opendescent/protocol';
import { useEffect, useState } from 'react';

type RelayState =
  | { state: 'checking' }
  | { state: 'ok'; protocolVersion: number }
  | { state: 'failed'; reason: string };

/** Asks the relay's health check from the browser itself, as every later relay call will go. */
export function RelayStatus({ relayUrl }: { relayUrl: string }) {
  const [relay, setRelay] = useState<RelayState>({ state: 'checking' });

  useEffect(() => {
    const abort = new AbortController();
    fetch(`${relayUrl}/health`, { signal: abort.signal, cache: 'no-store' })
      .then(async (response) => {
        if (!response.ok) throw new Error(`the relay answered HTTP ${response.status}`);
        const health = parseRelayHealth(await response.json());
        setRelay({ state: 'ok', protocolVersion: health.protocolVersion });
      })
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        const reason =
          error instanceof ProtocolError
            ? `unexpected answer (${error.message})`
            : error instanceof TypeError
              ? 'not reachable from this browser'
              : error instanceof Error
                ? error.message
                : 'unknown error';
        setRelay({ state: 'failed', reason });
      });
    return () => abort.abort();
  }, [relayUrl]);

  return (
    <section className="card" aria-labelledby="relay-heading">
      <h2 id="relay-heading">Relay</h2>
      <ul className="checks">
        <li>
          <span>
            <code>{relayUrl}</code>
          </span>
          <span className="status" data-testid="relay-status" data-state={relay.state}>
            {relay.state === 'checking' && 'Checking…'}
            {relay.state === 'ok' && `Reachable (protocol ${relay.protocolVersion})`}
            {relay.state === 'failed' && `Unavailable: ${relay.reason}`}
          </span>
        </li>
      </ul>
    </section>
  );
}
