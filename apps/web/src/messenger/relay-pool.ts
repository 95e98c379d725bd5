import type { RelayView } from './api';
import { MessengerError } from './errors';
import type { MessengerEnvironment, RelayCredentials, RelayDeliveryEvent, RelayPort } from './ports';

/** What the rest of the messenger hears from its relays. */
export interface RelayPoolHooks {
  credentials(url: string): RelayCredentials;
  statusChanged(): void;
  online(relay: RelayPort): void;
  tokenRefused(code: string): void;
  /** A signed revocation list a relay pushed (to be verified). */
  revocation(list: Uint8Array): void;
  deliver(relay: RelayPort, delivery: RelayDeliveryEvent): void;
  /** A remembered subscription refused: the relay no longer knows that queue. */
  queueRefused(recipientId: Uint8Array): void;
}

/**
 * The connections to the organisation's relays (messages.md §5.1): one per configured relay,
 * made on first use. The first relay holds the contact slot and intro queue; queues for peers
 * are spread over the relays online, in turn.
 */
export class RelayPool {
  private readonly relays = new Map<string, RelayPort>();
  private inboxTurn = -1;

  constructor(
    private readonly env: MessengerEnvironment,
    private readonly hooks: RelayPoolHooks,
  ) {}

  get primaryUrl(): string {
    const url = this.env.relayUrls[0];
    if (!url) throw new MessengerError('relay_unreachable', 'no relay is configured');
    return url;
  }

  /** The first relay if it is connected. */
  get primaryOnline(): RelayPort | undefined {
    const relay = this.relays.get(this.primaryUrl);
    return relay?.status === 'online' ? relay : undefined;
  }

  startAll(): void {
    for (const url of this.env.relayUrls) this.get(url);
  }

  /** The connection to a configured relay, opened on first use. */
  get(url: string): RelayPort {
    let relay = this.relays.get(url);
    if (relay) return relay;
    if (!this.env.relayUrls.includes(url))
      throw new MessengerError('relay_unreachable', 'a contact named a relay this organisation does not use');
    relay = this.env.relayFactory(url, this.hooks.credentials(url));
    const port = relay;
    port.onStatus((status) => {
      this.hooks.statusChanged();
      if (status === 'online') this.hooks.online(port);
    });
    port.onTokenRefused((code) => this.hooks.tokenRefused(code));
    // Pushed by the relay after the hello and on every newer list: applied now, not at the next poll.
    port.onRevocation((list) => this.hooks.revocation(list));
    port.onDeliver((delivery) => this.hooks.deliver(port, delivery));
    port.onSubscriptionError((recipientId, error) => {
      if (error.code === 'auth') this.hooks.queueRefused(recipientId);
    });
    this.relays.set(url, port);
    port.start();
    return port;
  }

  /** Already opened, whatever its status. */
  existing(url: string): RelayPort | undefined {
    return this.relays.get(url);
  }

  online(url: string): RelayPort {
    const relay = this.get(url);
    if (relay.status !== 'online')
      throw new MessengerError('relay_unreachable', 'the relay is not reachable right now; try again in a moment');
    return relay;
  }

  /**
   * Where the next queue for a peer is made: the configured relays that are online, in turn, so a
   * device's queues spread over its organisation's relays and one relay down stops only some of
   * its conversations (messages.md §5.1). The contact slot and intro queue stay on the first.
   */
  nextInboxRelay(): RelayPort {
    const online = this.env.relayUrls
      .map((url) => this.relays.get(url))
      .filter((relay): relay is RelayPort => relay?.status === 'online');
    if (online.length === 0)
      throw new MessengerError('relay_unreachable', 'no relay is reachable right now; try again in a moment');
    this.inboxTurn = (this.inboxTurn + 1) % online.length;
    return online[this.inboxTurn] as RelayPort;
  }

  views(): RelayView[] {
    return this.env.relayUrls.map((url) => ({ url, status: this.relays.get(url)?.status ?? 'offline' }));
  }

  stop(): void {
    for (const relay of this.relays.values()) relay.stop();
    this.relays.clear();
  }
}
