import type { Translation } from '@opendescent/i18n';
import type { en } from './en';

export type WebCatalogue = typeof en;
export type MessageKey = keyof WebCatalogue;

/** Every language has exactly English's keys (and, by `translation`, each message English's arguments). */
export type Dictionary = Translation<WebCatalogue>;
