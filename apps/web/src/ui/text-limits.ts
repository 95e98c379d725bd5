/**
 * How long the things people type may be, checked before a command is sent and never enforced by
 * cutting the text (`maxLength` silently drops the end of a paste, which then goes out as if whole).
 * Over a limit, the whole text stays in its field and a sentence says what to do.
 */
import { MAX_MESSAGE_CHARACTERS } from '../messenger/api';
import type { MessageKey, MessageParams } from '../i18n';

/** The worker's own limit, counted as it counts: UTF-16 code units of the trimmed text. */
export const MESSAGE_LIMIT = MAX_MESSAGE_CHARACTERS;
/** The composer shows its counter from here on, so that nobody meets the limit by surprise. */
export const MESSAGE_COUNTER_FROM = 3_500;
export const GROUP_TITLE_LIMIT = 100;
/** 64 for the local part, 1 for "@", 255 for the domain (RFC 5321 §4.5.3.1). */
export const ADDRESS_LIMIT = 320;

export interface LimitProblem {
  readonly key: MessageKey;
  readonly params: MessageParams;
}

export interface MessageLength {
  /** What the worker will count. */
  readonly length: number;
  readonly showCounter: boolean;
  /** Set when the message cannot be sent as it is. */
  readonly problem?: LimitProblem;
}

export function measureMessage(text: string): MessageLength {
  const length = text.trim().length;
  const over = length > MESSAGE_LIMIT;
  return {
    length,
    showCounter: length >= MESSAGE_COUNTER_FROM,
    ...(over ? { problem: { key: 'composer.too-long', params: { max: MESSAGE_LIMIT } } } : {}),
  };
}

export function checkGroupTitle(title: string): LimitProblem | undefined {
  const length = title.trim().length;
  return length > GROUP_TITLE_LIMIT
    ? { key: 'new-group.title-too-long', params: { max: GROUP_TITLE_LIMIT, count: length } }
    : undefined;
}

/** The first address over the limit, named by its length (a 100,000-character paste is not shown back). */
export function checkAddresses(addresses: readonly string[]): LimitProblem | undefined {
  const long = addresses.find((address) => address.length > ADDRESS_LIMIT);
  return long === undefined
    ? undefined
    : { key: 'address.too-long', params: { max: ADDRESS_LIMIT, count: long.length } };
}
