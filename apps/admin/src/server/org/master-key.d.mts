export declare const MASTER_KEY_BYTES: number;
export declare const EMBEDDED_MASTER_KEY_FILE: string;
/** `<ADMIN_DB_DIR>-secrets`: the embedded database's key folder, beside its data folder. */
export declare function embeddedKeyFolder(dataDir: string): string;

export declare class MasterKeyError extends Error {
  readonly variable: string;
}

export declare class MasterKeySource {
  constructor(
    kind: 'env' | 'file' | 'embedded-file',
    where: { hex?: string; file?: string; insideDataFolder?: boolean },
  );
  readonly kind: 'env' | 'file' | 'embedded-file';
  readonly file: string | undefined;
  /** An installation from before issue 10: its embedded key file sits in the data folder. */
  readonly insideDataFolder: boolean;
  /** The 32 key bytes (a fresh copy); creates the embedded key file on first use. */
  read(): Uint8Array;
  /** For a key file inside the data folder: how to move it out, or undefined. */
  movingAdvice(): string | undefined;
}

export declare function masterKeySourceFrom(
  env: { ADMIN_MASTER_KEY?: string; ADMIN_MASTER_KEY_FILE?: string },
  database: { databaseUrl: string | undefined; embeddedDatabaseDir: string },
): MasterKeySource;
