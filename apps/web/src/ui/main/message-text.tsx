/**
 * A message's words, with the `@Name` of each member it mentions marked (and this user's own
 * name marked more strongly). Only the addresses the worker lists in `mentions` are marked: an
 * `@Name` typed by hand without picking the person is plain text, as it notified nobody.
 */
import { Fragment } from 'react';
import type { ConversationView, MessageView } from '../../messenger/api';
import { mentionSegments, type Mentionable } from './mention-input';

/** The members a message mentions, with the names this device knows them by. */
export function mentionedMembers(message: MessageView, conversation: ConversationView): Mentionable[] {
  const mentions = message.mentions ?? [];
  return conversation.members.filter((member) => mentions.includes(member.address));
}

export function MessageText({ message, conversation }: { message: MessageView; conversation: ConversationView }) {
  const text = message.text ?? '';
  const mentioned = mentionedMembers(message, conversation);
  if (mentioned.length === 0) return <p className="message-text">{text}</p>;
  const self = conversation.members.find((member) => member.isSelf)?.address;
  return (
    <p className="message-text">
      {mentionSegments(text, mentioned).map((segment, index) =>
        segment.kind === 'text' ? (
          <Fragment key={index}>{segment.text}</Fragment>
        ) : (
          <span
            key={index}
            className={segment.address === self ? 'mention mention-me' : 'mention'}
            data-testid="mention"
            data-address={segment.address}
          >
            {segment.text}
          </span>
        ),
      )}
    </p>
  );
}
