/**
 * End-to-end encryption of the soak's messages with libs/crypto: one Double Ratchet session per
 * pair of contacts (crypto.md §10-§11), started by a real PQXDH handshake over the responder's
 * prekey bundle (with a one-time prekey). The handshake's initial message travels in-process,
 * not through the relay: the soak measures the relay, and the sessions exist before it starts.
 * What the web client adds around a ratchet message (the sealed envelope with the sender's
 * attestation, messages.md §3) is not simulated: the ratchet message is the blob.
 *
 * A session is used by one operation at a time (seal or open), so a decryption that awaits never
 * races an encryption on the same state. `PlainPayloads` is the same interface without
 * encryption (SOAK_ENCRYPT=0), for runs that must spare the CPU.
 */
import {
  claimPrekeyBundle,
  createPrekeyState,
  generateDeviceIdentity,
  initiateHandshake,
  publicDeviceIdentity,
  publishedPrekeys,
  ratchetDecrypt,
  ratchetEncrypt,
  respondToHandshake,
  startInitiatorSession,
  startResponderSession,
  type DeviceIdentity,
  type SessionState,
} from '@opendescent/crypto';

export interface SoakCipher {
  readonly encrypted: boolean;
  /** The blob device `from` puts for device `to`. */
  seal(from: number, to: number, plaintext: Uint8Array): Promise<Uint8Array>;
  /** What device `at` reads in a blob from its queue for `from`; throws when it does not open. */
  open(at: number, from: number, blob: Uint8Array): Promise<Uint8Array>;
}

export class PlainPayloads implements SoakCipher {
  readonly encrypted = false;
  seal(_from: number, _to: number, plaintext: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(plaintext);
  }
  open(_at: number, _from: number, blob: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(blob);
  }
}

const sessionKey = (owner: number, peer: number) => `${owner}>${peer}`;

export class RatchetSessions implements SoakCipher {
  readonly encrypted = true;
  readonly #states = new Map<string, SessionState>();
  readonly #busy = new Map<string, Promise<unknown>>();

  /** A session for every pair, the lower index initiating; `pairs` as [a, b] with a < b. */
  static async establish(devices: number, pairs: readonly (readonly [number, number])[]): Promise<RatchetSessions> {
    const now = Date.now();
    const identities: DeviceIdentity[] = [];
    for (let i = 0; i < devices; i++) identities.push(await generateDeviceIdentity());
    const responding = new Map<number, number>();
    for (const [, b] of pairs) responding.set(b, (responding.get(b) ?? 0) + 1);
    const prekeys = new Map<number, Awaited<ReturnType<typeof createPrekeyState>>>();
    for (const [b, count] of responding)
      prekeys.set(b, await createPrekeyState(identities[b] as DeviceIdentity, { now, count }));
    const sessions = new RatchetSessions();
    for (const [a, b] of pairs) {
      const responder = identities[b] as DeviceIdentity;
      const state = prekeys.get(b) as NonNullable<ReturnType<typeof prekeys.get>>;
      const claimed = claimPrekeyBundle(publishedPrekeys(state, now));
      const initiated = await initiateHandshake({
        identity: identities[a] as DeviceIdentity,
        responder: publicDeviceIdentity(responder),
        bundle: claimed.bundle,
        now,
      });
      const responded = await respondToHandshake({
        identity: responder,
        prekeys: state,
        initiation: initiated.initiation,
        now,
      });
      prekeys.set(b, responded.prekeys);
      let initiator = await startInitiatorSession({
        sharedSecret: initiated.sharedSecret,
        associatedData: initiated.associatedData,
        remoteRatchetKey: initiated.remoteRatchetKey,
      });
      let responderState = startResponderSession({
        sharedSecret: responded.sharedSecret,
        associatedData: responded.associatedData,
        ratchetKeyPair: responded.ratchetKeyPair,
      });
      initiated.sharedSecret.wipe();
      responded.sharedSecret.wipe();
      // The first message, as the web client sends with its initiation: the responder can then send too.
      const first = ratchetEncrypt(initiator, new Uint8Array([0]));
      initiator = first.state;
      responderState = (await ratchetDecrypt(responderState, first.message)).state;
      sessions.#states.set(sessionKey(a, b), initiator);
      sessions.#states.set(sessionKey(b, a), responderState);
    }
    return sessions;
  }

  seal(from: number, to: number, plaintext: Uint8Array): Promise<Uint8Array> {
    return this.#exclusive(sessionKey(from, to), async (state) => {
      const sent = ratchetEncrypt(state, plaintext);
      return { state: sent.state, result: sent.message };
    });
  }

  open(at: number, from: number, blob: Uint8Array): Promise<Uint8Array> {
    return this.#exclusive(sessionKey(at, from), async (state) => {
      const opened = await ratchetDecrypt(state, blob);
      return { state: opened.state, result: opened.plaintext };
    });
  }

  /** One operation per session at a time; a failed one leaves the state as it was. */
  #exclusive<T>(key: string, work: (state: SessionState) => Promise<{ state: SessionState; result: T }>): Promise<T> {
    const run = (this.#busy.get(key) ?? Promise.resolve()).then(async () => {
      const state = this.#states.get(key);
      if (state === undefined) throw new Error('no session between these devices');
      const { state: next, result } = await work(state);
      this.#states.set(key, next);
      return result;
    });
    this.#busy.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  }
}
