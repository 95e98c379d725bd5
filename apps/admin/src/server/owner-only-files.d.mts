export declare const NOT_OWNER_BITS: number;
export declare const OWNER_ONLY_DIR_MODE: number;
export declare const OWNER_ONLY_FILE_MODE: number;

export declare class LooseFileModesError extends Error {
  readonly variable: string;
}

/** Throws LooseFileModesError when `root` or anything under it is not this user's alone. */
export declare function assertOwnerOnly(root: string, options: { variable: string }): void;
