/**
 * The soak's message traffic: an open loop at a fixed rate over all devices, each message from a
 * device drawn at random to one of its contacts, and a share of them sent as a small group's
 * fan-out to three contacts at once (one put_many, relay.md §3.5). Open loop on purpose: senders
 * do not slow down when the relay does, so a slow relay shows up as latency and outbox backlog.
 */
import { performance } from 'node:perf_hooks';
import type { SoakDevice } from './soak-device';

export interface TrafficOptions {
  /** Messages per second over all devices (a group send counts one per recipient). */
  readonly rate: number;
  /** Stop after this many messages ... */
  readonly total?: number;
  /** ... or after this long, whichever comes first. */
  readonly durationMs?: number;
  /** Share of sends that go to three contacts at once. */
  readonly groupShare: number;
  /** Recorded with each message (the ledger's phase). */
  readonly phase: string;
  /** Told the share of `total` made so far (chaos-schedule.ts). */
  readonly onProgress?: (fraction: number) => void;
}

const TICK_MS = 10;
export const GROUP_SIZE = 3;

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

/** Three distinct contacts of `device`, or fewer when it has fewer. */
function groupOf(device: SoakDevice): number[] {
  const contacts = [...device.contacts];
  for (let i = contacts.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [contacts[i], contacts[j]] = [contacts[j] as number, contacts[i] as number];
  }
  return contacts.slice(0, GROUP_SIZE);
}

/** Makes messages until `total` or `durationMs`; resolves with how many were made. */
export async function runTraffic(devices: readonly SoakDevice[], options: TrafficOptions): Promise<number> {
  const { rate, total = Number.POSITIVE_INFINITY, durationMs = Number.POSITIVE_INFINITY } = options;
  const started = performance.now();
  let made = 0;
  const sends: Promise<void>[] = [];
  while (made < total) {
    const elapsed = performance.now() - started;
    if (elapsed >= durationMs) break;
    const due = Math.min(total, Math.floor((rate * elapsed) / 1000));
    while (made < due) {
      const device = pick(devices);
      const recipients =
        Math.random() < options.groupShare ? groupOf(device).slice(0, total - made) : [pick(device.contacts)];
      sends.push(device.send(recipients, options.phase));
      made += recipients.length;
    }
    options.onProgress?.(made / total);
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await Promise.all(sends);
  return made;
}
