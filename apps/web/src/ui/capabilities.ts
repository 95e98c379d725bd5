/**
 * What the browser must offer for the messenger to keep keys and history on the device, checked
 * by trying, not by sniffing the user agent.
 */
export type Capability = 'secure-context' | 'worker' | 'locks' | 'indexeddb' | 'ed25519' | 'x25519';

async function curveWorks(algorithm: 'Ed25519' | 'X25519'): Promise<boolean> {
  try {
    const usages: KeyUsage[] = algorithm === 'Ed25519' ? ['sign', 'verify'] : ['deriveBits'];
    await crypto.subtle.generateKey({ name: algorithm }, false, usages);
    return true;
  } catch {
    return false;
  }
}

/** The capabilities this browser lacks (empty when it can run OpenDescent). */
export async function missingCapabilities(): Promise<Capability[]> {
  const secure = window.isSecureContext && typeof crypto !== 'undefined' && crypto.subtle !== undefined;
  const checks: [Capability, boolean][] = [
    ['secure-context', secure],
    ['worker', typeof Worker === 'function'],
    ['locks', secure && typeof navigator.locks?.request === 'function'],
    ['indexeddb', typeof indexedDB !== 'undefined'],
    ['ed25519', secure && (await curveWorks('Ed25519'))],
    ['x25519', secure && (await curveWorks('X25519'))],
  ];
  return checks.filter(([, supported]) => !supported).map(([name]) => name);
}
