import type { en } from './en';

export type MessageKey = keyof typeof en;

/** Every language has exactly English's keys. */
export type Dictionary = { readonly [key in MessageKey]: string };
