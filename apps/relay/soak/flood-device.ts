/**
 * The flooding device of the soak (flood.ts), in a process of its own, as a flooding device is a
 * machine of its own: its work never delays the event loop of the process that measures everyone
 * else's latency. It speaks through libs/relay-client's RelayClient like every soak device, with
 * access tokens the soak minted for it (one per connection, read from stdin).
 *
 * Its two sending lanes are kept for the whole flood (no rotation after 100 frames: a new
 * connection starts with a full bucket), so FramePacer holds each to the relay's per-connection
 * rate (relay.md §8.3): the device floods at its limit. `put`: one blob per frame. `put_many`: 15
 * blobs per frame and lane, the most one token buys (a put_many costs one more token per 16
 * entries). The blobs go to queues of its own, which it reads and acknowledges, so the relay
 * stores, pushes and deletes every one.
 *
 * stdin: `token <hex>` lines, then `start <url>`, `flood <put|put_many>`, `stop`; stdout:
 * `ready`, `flooding`, `stopped <json counts>`.
 */
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { PlainPayloads } from './pairwise-sessions';
import { SINK, SoakDevice } from './soak-device';
import { SoakLedger } from './soak-ledger';
import { RefusalLog } from './soak-outbox';

export type FloodShape = 'put' | 'put_many';

export interface FloodCounts {
  readonly frames: number;
  readonly blobs: number;
  readonly seconds: number;
  /** CPU time this process used over the flood. */
  readonly cpuSeconds: number;
  readonly refusals: Readonly<Record<string, number>>;
}

const WORKERS = 64;
const ENTRIES_PER_LANE = 15;
const LANES = 2;
const BLOB_BYTES = 1024;

class Flood {
  frames = 0;
  blobs = 0;
  readonly refusals: Record<string, number> = {};
  readonly #started = performance.now();
  readonly #cpu = process.cpuUsage();
  #running = true;
  readonly #workers: Promise<void>[] = [];

  constructor(
    private readonly device: SoakDevice,
    private readonly shape: FloodShape,
  ) {
    const blob = crypto.getRandomValues(new Uint8Array(BLOB_BYTES));
    const sink = device.senderIdFor(SINK);
    const entries = Array.from({ length: ENTRIES_PER_LANE * LANES }, () => ({ senderId: sink, blob }));
    for (let i = 0; i < WORKERS; i++) this.#workers.push(this.#work(sink, blob, entries));
  }

  async stop(): Promise<FloodCounts> {
    this.#running = false;
    await Promise.all(this.#workers);
    const seconds = (performance.now() - this.#started) / 1000;
    const cpu = process.cpuUsage(this.#cpu);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return { frames: this.frames, blobs: this.blobs, seconds, cpuSeconds, refusals: this.refusals };
  }

  async #work(sink: Uint8Array, blob: Uint8Array, entries: { senderId: Uint8Array; blob: Uint8Array }[]) {
    while (this.#running) {
      try {
        if (this.shape === 'put') {
          await this.device.client.put(sink, blob);
          this.frames++;
          this.blobs++;
          continue;
        }
        const outcomes = await this.device.client.putMany(entries);
        this.frames += LANES;
        for (const outcome of outcomes) {
          if (outcome === 'ok') this.blobs++;
          else this.#refused(outcome);
        }
      } catch (error) {
        this.#refused(error instanceof Error && 'code' in error ? String(error.code) : 'error');
        // Refused (offline, rate_limited): the pacer or the reconnection waits; do not spin.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  #refused(code: string): void {
    this.refusals[code] = (this.refusals[code] ?? 0) + 1;
  }
}

async function main(): Promise<void> {
  const tokens: Uint8Array[] = [];
  let device: SoakDevice | undefined;
  let flood: Flood | undefined;
  const lines = createInterface({ input: process.stdin });
  lines.on('close', () => process.exit(0));
  for await (const line of lines) {
    const [command, argument = ''] = line.split(' ');
    if (command === 'token') tokens.push(new Uint8Array(Buffer.from(argument, 'hex')));
    if (command === 'start') {
      const ledger = new SoakLedger();
      const credentials = async () => {
        const token = tokens.shift();
        if (!token) throw new Error('no access token left');
        return token;
      };
      device = new SoakDevice(-1, argument, credentials, new PlainPayloads(), ledger, new RefusalLog(() => 0), {
        maxFrames: Number.MAX_SAFE_INTEGER,
      });
      const [sink] = [...(await device.open([SINK])).values()];
      device.writesTo(SINK, sink as Uint8Array);
      console.log('ready');
    }
    if (command === 'flood' && device) {
      flood = new Flood(device, argument as FloodShape);

      console.log('flooding');
    }
    if (command === 'stop' && flood) {
      const counts = await flood.stop();
      flood = undefined;
      console.log(`stopped ${JSON.stringify({ ...counts, sinkBlobs: device?.counters.sinkBlobs })}`);
    }
  }
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
