/**
 * A colleague's device connected to the relay (docs/protocol/relay.md §3.2, §7), through
 * libs/relay-client's RelayConnection: admitted by an access token, it records every revocation
 * list the relay forwards and when.
 */
import { decodeRevocationList } from '@opendescent/protocol';
import { RelayConnection } from '@opendescent/relay-client';

export class RevocationWatch {
  /** Each forwarded list, decoded (not verified: the test only reads it), with when it arrived. */
  readonly lists: { revoked: string[]; at: number }[] = [];

  private constructor(readonly connection: RelayConnection) {
    connection.onRevocation((bytes) => {
      const { list } = decodeRevocationList(bytes);
      this.lists.push({
        revoked: list.revoked.map((entry) => Buffer.from(entry.deviceId).toString('hex')),
        at: Date.now(),
      });
    });
  }

  /** Connects and redeems `token`; rejects with the relay's refusal. */
  static async open(relayUrl: string, token: Uint8Array): Promise<RevocationWatch> {
    const connection = await RelayConnection.open(relayUrl);
    const watch = new RevocationWatch(connection);
    try {
      await connection.hello(token);
    } catch (error) {
      connection.close();
      throw error;
    }
    return watch;
  }

  /** Resolves with when the relay forwarded a list naming `deviceIdHex` to this connection. */
  async revocationOf(deviceIdHex: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const list = this.lists.find((entry) => entry.revoked.includes(deviceIdHex));
      if (list) return list.at;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no list naming the device within ${timeoutMs} ms (${this.lists.length} lists received)`);
  }

  close(): void {
    this.connection.close();
  }
}
