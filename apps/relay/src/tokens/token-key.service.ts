import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  AccessTokenVerifier,
  MAX_TOKEN_KEY_SET_BYTES,
  tokenKeySetSupersedes,
  verifyTokenKeySet,
  type TokenKeySet,
} from '@opendescent/protocol';
import { OrgKeyService } from '../access/org-keys.service';
import { SignedDocumentHolder, type DocumentSource } from '../documents/signed-document-holder';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';

/**
 * The issuer keys this relay accepts access tokens of (relay.md §3.2, access-tokens.md §3): the
 * newest token key set signed by a pinned organisation key, from `POST /token-keys` (the admin
 * app pushes), `RELAY_TOKEN_KEYS_URL`, or another node. Keeps a verifier ready for the set held
 * and the origins this relay answers to.
 */
@Injectable()
export class TokenKeyService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #holder: SignedDocumentHolder<TokenKeySet>;
  #origins: readonly string[];
  #verifier: Promise<AccessTokenVerifier> | undefined;

  constructor(
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
    orgKeys: OrgKeyService,
  ) {
    const { config } = runtime;
    this.#origins = config.RELAY_TOKEN_ORIGINS ?? [];
    this.#holder = new SignedDocumentHolder(
      runtime,
      {
        kind: 'token_key_set',
        what: 'token key set',
        maxBytes: MAX_TOKEN_KEY_SET_BYTES,
        verify: (input) => orgKeys.verifying((keys) => verifyTokenKeySet(input, keys)),
        supersedes: tokenKeySetSupersedes,
        version: (set) => set.setVersion,
        url: config.RELAY_TOKEN_KEYS_URL,
        refreshSeconds: config.RELAY_TOKEN_KEYS_REFRESH_SECONDS,
      },
      orgKeys,
    );
    this.#holder.onAccepted(() => {
      this.#verifier = undefined;
    });
  }

  /** Called once the port is known: without RELAY_TOKEN_ORIGINS, the loopback names of the embedded default. */
  listeningOn(port: number): void {
    if (this.runtime.config.RELAY_TOKEN_ORIGINS !== undefined) return;
    this.#origins = [`127.0.0.1:${port}`, `localhost:${port}`];
    this.#verifier = undefined;
  }

  get origins(): readonly string[] {
    return this.#origins;
  }

  /** The verifier for the set held, or undefined when no set is held yet (every token is then `token_unknown_key`). */
  verifier(): Promise<AccessTokenVerifier> | undefined {
    const set = this.#holder.current;
    const orgId = this.runtime.config.RELAY_ORG_ID;
    if (set === undefined || orgId === undefined) return undefined;
    this.#verifier ??= AccessTokenVerifier.create(orgId, set.keys, this.#origins);
    return this.#verifier;
  }

  currentBytes(): Uint8Array | undefined {
    return this.#holder.currentBytes;
  }

  /** Resolves with the set version held afterwards; rejects with a DocumentRefusal. */
  accept(input: unknown, source: DocumentSource): Promise<number> {
    return this.#holder.accept(input, source);
  }

  setAnnouncer(announce: (bytes: Uint8Array) => void): void {
    this.#holder.setAnnouncer(announce);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.#holder.start();
  }

  onApplicationShutdown(): void {
    this.#holder.stop();
  }
}
