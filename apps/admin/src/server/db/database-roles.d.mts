import type { ClientBase } from 'pg';

export declare const APPEND_ONLY_TABLES: readonly string[];

export declare class DatabaseRoleError extends Error {}

export declare function roleOfUrl(url: string): string | undefined;
export declare function passwordOfUrl(url: string): string | undefined;

export interface AppRoleSetUp {
  readonly owner: string;
  readonly schema: string;
  readonly tables: number;
  /** True when the role did not exist and was created. */
  readonly created: boolean;
}

export declare function setUpAppRole(
  client: ClientBase,
  options: { appRole: string; password?: string },
): Promise<AppRoleSetUp>;
export declare function setUpAppRoleFromUrls(
  ownerUrl: string,
  appUrl: string,
  options?: { appRole?: string },
): Promise<AppRoleSetUp>;
