import type { Pool, PoolConfig } from 'pg';
import type { DatabaseConfig } from './database-config.mjs';

export declare const CHAR_COLUMNS: unique symbol;

export interface PoolLease {
  readonly pool: Pool;
  /** Ends the pool, or does nothing when it is the embedded server's shared pool. */
  release(): Promise<void>;
}

export interface DatabaseServer {
  readonly kind: DatabaseConfig['kind'];
  /** For messages: never includes a password. */
  readonly description: string;
  /** Embedded: always the one shared pool of size 1, whatever `max` says. */
  openPool(options: { max: number }): PoolLease;
  createShadowDatabase(): Promise<{ connection: PoolConfig; drop(): Promise<void> }>;
  close(): Promise<void>;
}

export declare function createPool(connection: PoolConfig, options: { max: number }): Pool;
export declare function openDatabaseServer(config: DatabaseConfig): Promise<DatabaseServer>;
