'use client';

import { useEffect, useState } from 'react';

interface Capability {
  readonly name: string;
  readonly supported: boolean | undefined;
}

/**
 * What this browser must offer for OpenDescent to keep keys and history on the device: a secure
 * context, Web Crypto's curve operations and IndexedDB. Checked by trying them, not by sniffing.
 */
async function checkCapabilities(): Promise<Capability[]> {
  const curve = async (algorithm: 'Ed25519' | 'X25519') => {
    try {
      const usages: KeyUsage[] = algorithm === 'Ed25519' ? ['sign', 'verify'] : ['deriveBits'];
      await crypto.subtle.generateKey({ name: algorithm }, false, usages);
      return true;
    } catch {
      return false;
    }
  };
  return [
    { name: 'Secure context (HTTPS or this computer)', supported: window.isSecureContext },
    { name: 'Web Crypto: Ed25519 signatures', supported: await curve('Ed25519') },
    { name: 'Web Crypto: X25519 key agreement', supported: await curve('X25519') },
    { name: 'IndexedDB for the encrypted local store', supported: typeof indexedDB !== 'undefined' },
  ];
}

export function DeviceCheck() {
  const [capabilities, setCapabilities] = useState<Capability[] | undefined>();

  useEffect(() => {
    let live = true;
    void checkCapabilities().then((result) => live && setCapabilities(result));
    return () => {
      live = false;
    };
  }, []);

  return (
    <section className="card" aria-labelledby="device-heading">
      <h2 id="device-heading">This browser</h2>
      <ul className="checks" data-testid="device-check">
        {(capabilities ?? []).map(({ name, supported }) => (
          <li key={name}>
            <span>{name}</span>
            <span className="status" data-state={supported ? 'ok' : 'failed'}>
              {supported ? 'Yes' : 'No'}
            </span>
          </li>
        ))}
        {!capabilities && (
          <li>
            <span className="status" data-state="checking">
              Checking…
            </span>
          </li>
        )}
      </ul>
    </section>
  );
}
