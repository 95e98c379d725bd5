/** Every refusal by the Vault has a stable code; callers branch on it, never on the message. */
export type VaultErrorCode =
  /** The passphrase does not open the vault key (or the header's authenticated part was altered). */
  | 'wrong_passphrase'
  /**
   * Too many wrong passphrases in a row: the next one is not even tried before `retryAt`
   * (unlock-backoff.ts, storage.md §5).
   */
  | 'unlock_delayed'
  /** A new passphrase shorter than MIN_PASSPHRASE_LENGTH characters. */
  | 'weak_passphrase'
  /** Vault.create on a store that already holds a vault. */
  | 'already_exists'
  /** Vault.unlock on a store that holds no vault. */
  | 'not_found'
  /** The vault was locked (or wiped): its keys are gone. */
  | 'locked'
  /** A record or the header fails authentication or does not parse: altered, truncated or moved. */
  | 'corrupt_record'
  /** A header or record version this client does not read (written by a newer client). */
  | 'unsupported_version';

export class VaultError extends Error {
  override readonly name = 'VaultError';
  /** For unlock_delayed: when (ms since the epoch, the vault's clock) a passphrase is tried again. */
  readonly retryAt: number | undefined;

  constructor(
    readonly code: VaultErrorCode,
    message: string,
    details: { readonly retryAt?: number } = {},
  ) {
    super(`${code}: ${message}`);
    this.retryAt = details.retryAt;
  }
}

export function isVaultError(value: unknown, code?: VaultErrorCode): value is VaultError {
  return value instanceof VaultError && (code === undefined || value.code === code);
}
