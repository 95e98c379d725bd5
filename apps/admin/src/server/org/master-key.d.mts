export declare const MASTER_KEY_BYTES: number;
export declare const EMBEDDED_MASTER_KEY_FILE: string;

export declare class MasterKeyError extends Error {
  readonly variable: string;
}

export declare class MasterKeySource {
  readonly kind: 'env' | 'file' | 'embedded-file';
  readonly file: string | undefined;
  /** The 32 key bytes (a fresh copy); creates the embedded key file on first use. */
  read(): Uint8Array;
}

export declare function masterKeySourceFrom(
  env: { ADMIN_MASTER_KEY?: string; ADMIN_MASTER_KEY_FILE?: string },
  database: { databaseUrl: string | undefined; embeddedDatabaseDir: string },
): MasterKeySource;
