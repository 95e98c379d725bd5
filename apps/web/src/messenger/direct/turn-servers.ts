import type { TurnCredentials } from '@opendescent/protocol';
import type { IceServer } from './direct-ports';

/** A credential is asked for again this long before it expires, so a channel never starts on a stale one. */
const RENEW_BEFORE_S = 300;
/** A relay that hands out no TURN server (or could not be asked) is asked again after this. */
const ASK_AGAIN_MS = 10 * 60_000;

export interface TurnSource {
  turnCredentials?(): Promise<TurnCredentials>;
}

/**
 * The organisation's TURN server for direct channels (direct.md §8), asked of a relay this device
 * reaches (relay.md §3.16) and kept until shortly before its credential expires. None when no
 * relay hands one out: channels then use host candidates only, and nothing else is contacted.
 */
export class TurnServers {
  private cached: { readonly servers: readonly IceServer[]; readonly until: number } | undefined;

  constructor(
    private readonly relay: () => TurnSource | undefined,
    private readonly now: () => number,
  ) {}

  async servers(): Promise<readonly IceServer[]> {
    const now = this.now();
    if (this.cached && now < this.cached.until) return this.cached.servers;
    const source = this.relay();
    if (!source?.turnCredentials) return [];
    try {
      const turn = await source.turnCredentials();
      const servers = [{ urls: [...turn.urls], username: turn.username, credential: turn.credential }];
      this.cached = { servers, until: Math.min((turn.expiresAt - RENEW_BEFORE_S) * 1000, now + 86_400_000) };
      return servers;
    } catch {
      this.cached = { servers: [], until: now + ASK_AGAIN_MS };
      return [];
    }
  }
}
