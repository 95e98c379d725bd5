/**
 * What the composer is doing besides writing a new message: answering one (its quote goes with
 * the message, `replyTo`) or editing one of ours (Enter saves through `editMessage`). The pane
 * holds the mode, since the message list's actions start it and the composer ends it.
 */
import type { MessageView } from '../../messenger/api';
import { mentionsInText, type Mentionable } from './mention-input';

export type ComposerMode =
  { readonly kind: 'reply'; readonly message: MessageView } | { readonly kind: 'edit'; readonly message: MessageView };

export interface SendOptions {
  readonly replyTo?: string;
  readonly mentions?: readonly string[];
}

/**
 * The options `send` gets for `text`: the message answered, and the members picked from the
 * mention list whose `@Name` is still in the text. Undefined when there are none, so a plain
 * message is sent as before.
 */
export function sendOptions(
  mode: ComposerMode | undefined,
  text: string,
  picked: readonly Mentionable[],
): SendOptions | undefined {
  const mentions = mentionsInText(text, picked);
  const replyTo = mode?.kind === 'reply' ? mode.message.id : undefined;
  if (replyTo === undefined && mentions.length === 0) return undefined;
  return { ...(replyTo !== undefined ? { replyTo } : {}), ...(mentions.length > 0 ? { mentions } : {}) };
}
