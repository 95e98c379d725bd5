import type { DestinationStream, Logger } from 'pino';

export declare const LOG_LEVELS: readonly ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export declare const REDACTED_FIELDS: string[];

/** Replaces the value of `token=`, `code=`, `key=`… and `Bearer …` in a text. */
export declare function scrubSecrets(text: string): string;

export declare function createAdminLogger(options?: { level?: string; destination?: DestinationStream }): Logger;

/** Name, driver code and the scrubbed last line of an error's message: what a log may show. */
export declare function errorSummary(error: unknown): { name?: string; errorCode?: string; message: string };

/** The process's logger: the one prepare() installed, else one at level info. */
export declare function adminLog(): Logger;

/** Makes `logger` the process's logger (prepare() at start; tests, to read what is logged). */
export declare function useAdminLogger(logger: Logger | undefined): void;
