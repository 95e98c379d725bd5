/**
 * English for conversation features (replies, reactions, edits, deletions, mentions, read status,
 * typing, unread). Apart from en.ts only to keep each file readable: en.ts spreads `enMessages`
 * into `en`, and fr-messages.ts goes through `translation(enMessages, …)`.
 */
export const enMessages = {
  // Read status (MessageStatus `read`) and, in groups, how many have read one of our messages.
  'message.status.read': 'Read',
  'message.read-by': 'Read by {count} of {total}',

  // The actions of one message, from its menu.
  'message.actions': 'Message actions',
  'message.actions-named': 'Actions for the message from {name}',
  'message.actions-own': 'Actions for your message',
  'message.action.reply': 'Reply',
  'message.action.react': 'React',
  'message.action.edit': 'Edit',
  'message.action.delete': 'Delete for everyone',

  // Deleted for everyone, edited, mentions.
  'message.deleted': 'This message was deleted',
  'message.edited': 'edited',
  'message.edited-title': 'Edited {when}: show earlier versions',
  'message.mentions-you': 'Mentions you.',

  // The quote above a reply.
  'quote.in-reply-to': 'In reply to',
  'quote.you': 'You',
  'quote.deleted': 'Original message deleted',
  'quote.missing': 'Original message not available',
  'quote.show': 'Show the original message',
  'quote.file': 'File: {name}',

  // Reactions: the chips under a message and the picker.
  'reactions.label': 'Reactions',
  'reactions.chip': '{emoji} from {names}',
  'reactions.chip-mine': '{emoji} from {names}. Press to remove yours',
  'reactions.picker': 'React to this message',
  'reactions.quick': 'Frequent reactions',
  'reactions.other': 'Another emoji',
  'reactions.other-hint': 'Type or paste one emoji, then press Enter.',
  'reactions.add': 'Add',
  'reactions.invalid': 'Type a single emoji.',
  'reactions.remove': 'Remove my reaction',

  // Earlier versions of an edited message.
  'edits.title': 'Earlier versions',
  'edits.current': 'Current version, {when}',
  'edits.version': 'Version of {when}',
  'edits.none': 'This device keeps no earlier version of this message.',
  'edits.only-here': 'Earlier versions are kept on this device only.',

  // Deleting for everyone.
  'delete.title': 'Delete this message for everyone?',
  'delete.body':
    'It will be deleted on every device of everyone in this conversation, yours included. This cannot be undone.',
  'delete.offline':
    'Devices that are offline now will delete it when they come back online. Someone may already have read or copied it.',
  'delete.confirm': 'Delete for everyone',

  // The composer answering or editing a message.
  'composer.replying-to': 'Replying to {name}',
  'composer.replying-to-self': 'Replying to your message',
  'composer.cancel-reply': 'Cancel reply',
  'composer.editing': 'Editing message',
  'composer.cancel-edit': 'Cancel editing',
  'composer.save-edit': 'Save',
  'composer.escape-to-cancel': 'Escape to cancel.',
  'composer.edit-last-hint': 'Up arrow in an empty field edits your last message.',

  // Mentions while typing @ in a group.
  'mentions.label': 'Members to mention',
  'mentions.choices':
    '{count, plural, one {# member to mention: Up and Down to choose, Enter to pick, Escape to close} other {# members to mention: Up and Down to choose, Enter to pick, Escape to close}}',

  // Who is typing.
  'typing.one': '{name} is typing…',
  'typing.two': '{first} and {second} are typing…',
  'typing.several': 'Several people are typing…',

  // Unread messages when a conversation opens.
  'unread.divider': '{count, plural, one {# new message} other {# new messages}}',
  'unread.jump': 'Jump to first unread',

  // The message log by keyboard (message-keys.ts).
  'conversation.keys-hint':
    'Up and Down arrows move between messages; Enter opens the actions of the message in focus; Escape goes back.',
} as const satisfies Record<string, string>;
