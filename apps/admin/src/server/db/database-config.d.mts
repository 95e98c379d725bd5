/** Which database the admin app uses: plain data, safe to log except for the URL's password. */
export type DatabaseConfig =
  /** A PostgreSQL server (production, scale-out). */
  | { readonly kind: 'postgres'; readonly url: string }
  /** The embedded PGlite database in `dir` (created when missing), or in memory when `dir` is null. */
  | { readonly kind: 'embedded'; readonly dir: string | null };

export declare const DEFAULT_EMBEDDED_DIR: string;

export declare function databaseConfigFromEnv(
  env: { readonly DATABASE_URL?: string | undefined; readonly ADMIN_DB_DIR?: string | undefined },
  options: { readonly baseDir: string },
): DatabaseConfig;

export declare function migrationDatabaseConfigFromEnv(
  env: {
    readonly DATABASE_URL?: string | undefined;
    readonly ADMIN_MIGRATION_DATABASE_URL?: string | undefined;
    readonly ADMIN_DB_DIR?: string | undefined;
  },
  options: { readonly baseDir: string },
): DatabaseConfig;
