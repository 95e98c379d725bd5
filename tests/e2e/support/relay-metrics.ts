/**
 * The relay's Prometheus counters (GET /metrics, relay.md §10): counts only, never an id, so a
 * test can see how many bytes or uploads the relay took without any capability.
 */

/** The value of counter `name` summed over its label sets (0 when it has none yet). */
export async function relayCounter(relayUrl: string, name: string): Promise<number> {
  const response = await fetch(`${relayUrl}/metrics`);
  if (!response.ok) throw new Error(`relay metrics: HTTP ${response.status}`);
  let total = 0;
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.e+]+)$/.exec(line);
    if (match?.[1] === name) total += Number(match[2]);
  }
  return total;
}
