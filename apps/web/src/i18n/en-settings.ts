/**
 * English for settings others can notice (read receipts, typing indicators) and per-conversation notifications. Apart from en.ts only to keep each file readable: en.ts spreads
 * `enSettings` into `en`, and fr-settings.ts goes through `translation(enSettings, …)`.
 */
export const enSettings = {
  // A mention's notification, only with the sender's name (notifications.ts says why).
  'notifications.mentioned-you': '{name} mentioned you',

  // Which messages of a conversation notify (main/notify-level-select.tsx).
  'notify.label': 'Notifications for this conversation',
  'notify.all': 'All messages',
  'notify.mentions': 'Mentions only',
  'notify.none': 'Off',

  // The conversation list (main/conversation-list.tsx).
  'list.mentioned': 'Mentioned you',
  'list.muted': 'Notifications off',

  // What others may notice (main/privacy-settings.tsx): reciprocal, seen only by a conversation's members.
  'privacy.title': 'Privacy',
  'privacy.read-receipts': 'Send and show read receipts',
  'privacy.read-receipts-hint':
    'Shows the members of a conversation when you have read their messages (end-to-end encrypted). Off: you don’t see theirs either.',
  'privacy.typing': 'Send and show typing indicators',
  'privacy.typing-hint':
    'Shows the members of a conversation when you are typing (end-to-end encrypted). Off: you don’t see theirs either.',
  'privacy.direct': 'Direct connections',
  'privacy.direct-direct': 'Direct when possible',
  'privacy.direct-turn_only': 'Only through the organisation’s TURN server',
  'privacy.direct-off': 'Off: always through the relay',
  'privacy.direct-hint':
    'Messages go straight to a colleague’s device when both are online, still end-to-end encrypted, and keep flowing if the relay is down. The colleague’s device learns your network address; the TURN option hides it from them but shows the pair to the organisation’s TURN server.',
  'conversation.path-direct': 'Direct',
  'conversation.path-relay': 'Through the relay',
  'conversation.path-mixed': 'Partly direct',
} as const satisfies Record<string, string>;
