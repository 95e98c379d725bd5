/**
 * Which session sends and which opens, for one peer device (docs/protocol/messages.md §3), in the
 * manner of libsignal's SessionCipher: the caller keeps the sessions (SessionStore) and this
 * device's prekeys (PrekeyStore), usually inside one store transaction; this module decides
 * which session encrypts, tries the sessions in turn on a received message, and says how a
 * received handshake initiation joins them. No I/O: the stores are the caller's.
 */
import { ratchetDecrypt, ratchetEncrypt, startInitiatorSession, startResponderSession } from './double-ratchet';
import { CryptoError } from './errors';
import {
  initiateHandshake,
  ourInitiationWins,
  respondToHandshake,
  type HandshakeInitiation,
  type InitiateHandshakeInput,
} from './handshake';
import type { DeviceIdentity, PublicDeviceIdentity } from './identity';
import type { PrekeyState } from './prekeys';
import { deserializeSession, serializeSession } from './ratchet-state-codec';

/** Sessions kept per peer device: the one that sends and older ones that may still open messages. */
export const MAX_SESSIONS_PER_PEER = 3;

/** One session as the caller stores it. */
export interface StoredSession {
  /** How the caller names the session (the initiation's ephemeral key, say): unique per peer. */
  readonly id: string;
  /** serializeSession's output. */
  readonly state: Uint8Array;
  /** The peer has answered on it: the initiation no longer travels with each message. */
  readonly confirmed: boolean;
  /** Our initiation in the caller's wire encoding, sent with each message until confirmed. */
  readonly initiation?: Uint8Array;
}

/** One peer device's sessions, newest (the sending one) first. */
export interface SessionStore {
  load(): readonly StoredSession[];
  save(sessions: readonly StoredSession[]): void;
}

/** This device's prekeys, consumed by a received initiation. */
export interface PrekeyStore {
  load(): Promise<PrekeyState>;
  save(state: PrekeyState): void;
}

export interface SessionCiphertext {
  readonly message: Uint8Array;
  /** Present until the peer answered: the receiver needs it to make the session. */
  readonly initiation?: Uint8Array;
}

export interface AcceptInitiationInput {
  readonly identity: DeviceIdentity;
  readonly prekeys: PrekeyStore;
  readonly initiation: HandshakeInitiation;
  /** The caller's name for the session this initiation starts. */
  readonly id: string;
  readonly now: number;
}

export class SessionCipher {
  constructor(
    private readonly store: SessionStore,
    private readonly limit = MAX_SESSIONS_PER_PEER,
  ) {}

  get hasSession(): boolean {
    return this.store.load().length > 0;
  }

  /** Starts a session from a claimed bundle (PQXDH §3.3); it becomes the one that sends. */
  async initiate(
    input: InitiateHandshakeInput,
    describe: (initiation: HandshakeInitiation) => { id: string; encoded: Uint8Array },
  ): Promise<HandshakeInitiation> {
    const handshake = await initiateHandshake(input);
    const state = await startInitiatorSession({
      sharedSecret: handshake.sharedSecret,
      associatedData: handshake.associatedData,
      remoteRatchetKey: handshake.remoteRatchetKey,
    });
    handshake.sharedSecret.wipe();
    const { id, encoded } = describe(handshake.initiation);
    this.keep([
      { id, state: serializeSession(state).exposeBytes().slice(), confirmed: false, initiation: encoded },
      ...this.store.load(),
    ]);
    return handshake.initiation;
  }

  /**
   * A received initiation (PQXDH §3.4): a session it already started is left alone; otherwise the
   * prekeys answer it. When both sides initiated at once, both sessions are kept and the one both
   * compute with ourInitiationWins sends. Returns whether a session was added.
   */
  async accept(input: AcceptInitiationInput): Promise<boolean> {
    const sessions = this.store.load();
    if (sessions.some((s) => s.id === input.id)) return false;
    const response = await respondToHandshake({
      identity: input.identity,
      prekeys: await input.prekeys.load(),
      initiation: input.initiation,
      now: input.now,
    });
    const state = startResponderSession({
      sharedSecret: response.sharedSecret,
      associatedData: response.associatedData,
      ratchetKeyPair: response.ratchetKeyPair,
    });
    response.sharedSecret.wipe();
    input.prekeys.save(response.prekeys);
    const incoming: StoredSession = {
      id: input.id,
      state: serializeSession(state).exposeBytes().slice(),
      confirmed: false,
    };
    const [ours, ...older] = sessions;
    const oursWins =
      ours !== undefined &&
      !ours.confirmed &&
      ours.initiation !== undefined &&
      ourInitiationWins(publicIdentity(input.identity), input.initiation.initiator);
    this.keep(oursWins ? [ours, incoming, ...older] : [incoming, ...sessions]);
    return true;
  }

  /** Encrypts on the sending session (the first). */
  async encrypt(plaintext: Uint8Array): Promise<SessionCiphertext> {
    const [current, ...rest] = this.store.load();
    if (!current) throw new CryptoError('session_not_ready', 'there is no session with this device');
    const { state, message } = ratchetEncrypt(await deserializeSession(current.state), plaintext);
    this.store.save([{ ...current, state: serializeSession(state).exposeBytes().slice() }, ...rest]);
    return current.confirmed || !current.initiation ? { message } : { message, initiation: current.initiation };
  }

  /**
   * Trial decryption, sending session first. The session that opens the message is saved as
   * confirmed; one the peer answered on replaces a first session that never received anything,
   * so both sides then send on sessions the other holds. A message no session opens (a replay, a
   * forgery, a session we no longer hold) changes nothing and fails as `auth_failed`.
   */
  async decrypt(message: Uint8Array): Promise<Uint8Array> {
    const sessions = [...this.store.load()];
    for (let i = 0; i < sessions.length; i++) {
      const session = sessions[i] as StoredSession;
      let opened;
      try {
        opened = await ratchetDecrypt(await deserializeSession(session.state), message);
      } catch {
        continue; // not this session: no state was changed
      }
      const updated: StoredSession = {
        ...session,
        state: serializeSession(opened.state).exposeBytes().slice(),
        confirmed: true,
      };
      sessions[i] = updated;
      if (i > 0 && !(sessions[0] as StoredSession).confirmed) {
        sessions.splice(i, 1);
        sessions.unshift(updated);
      }
      this.store.save(sessions);
      return opened.plaintext;
    }
    throw new CryptoError('auth_failed', 'no session with this device opens the message');
  }

  private keep(sessions: readonly StoredSession[]): void {
    this.store.save(sessions.slice(0, this.limit));
  }
}

function publicIdentity(identity: DeviceIdentity): PublicDeviceIdentity {
  return { signingKey: identity.signing.publicKey, agreementKey: identity.agreement.publicKey };
}
