import type { PoolConfig } from 'pg';

export interface EmbeddedDatabaseHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

export declare class EmbeddedDatabaseInUseError extends Error {
  readonly holder: EmbeddedDatabaseHolder;
}

export interface EmbeddedPostgres {
  readonly connection: PoolConfig;
  stop(): Promise<void>;
}

export declare function startEmbeddedPostgres(options: { dir: string | null }): Promise<EmbeddedPostgres>;
/** For tests: a template made once for the whole run, so no test file runs initdb again. */
export declare function useEmptyClusterTemplate(dump: Blob): void;
