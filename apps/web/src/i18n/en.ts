import { enMessages } from './en-messages';
import { enSettings } from './en-settings';
import { enTrust } from './en-trust';

/**
 * English, the reference dictionary, in ICU MessageFormat (libs/i18n, docs/decisions/0013-i18n-core.md):
 * `{name}` marks a value filled in at run time (numbers formatted for the language), and
 * `{count, plural, one {…} other {…}}` picks a form by CLDR plural rules. The trust texts live in
 * en-trust.ts and are spread in below. fr.ts goes through `translation(en, …)` (and fr-trust.ts
 * through `translation(enTrust, …)`): a key missing there or extra, or a message with other
 * arguments, fails type-checking.
 */
export const en = {
  'app.name': 'OpenDescent',
  'app.tagline': 'End-to-end encrypted chat for your organisation.',
  'app.loading': 'Starting OpenDescent…',

  'language.label': 'Language',
  'language.en': 'English',
  'language.fr': 'Français',

  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'common.back': 'Back',
  'common.you': 'you',
  'common.working': 'Working…',
  'common.show-passphrase': 'Show passphrase',

  'tab.title': 'OpenDescent is open in another tab',
  'tab.body':
    'Only one tab can use OpenDescent at a time. Switch to the other tab, or close it: this tab takes over as soon as it closes.',

  'unsupported.title': 'This browser cannot run OpenDescent',
  'unsupported.body':
    'OpenDescent keeps your keys and messages on this device, which needs the following. Please use an up-to-date browser over HTTPS.',
  'unsupported.secure-context': 'A secure connection (HTTPS)',
  'unsupported.worker': 'Background workers (Web Workers)',
  'unsupported.locks': 'Tab coordination (Web Locks)',
  'unsupported.indexeddb': 'Local storage (IndexedDB)',
  'unsupported.ed25519': 'Web Crypto: Ed25519 signatures',
  'unsupported.x25519': 'Web Crypto: X25519 key agreement',

  'failed.title': 'OpenDescent stopped',
  'failed.body':
    'The part of OpenDescent that holds your keys stopped unexpectedly. Reload the page to start it again; your messages are kept on this device.',
  'failed.reload': 'Reload',

  'create.title': 'Welcome to OpenDescent',
  'create.body':
    'First, choose a passphrase. It protects the keys and messages stored on this device, and you will type it each time you open OpenDescent. Nobody can recover it for you.',
  'create.passphrase': 'Passphrase',
  'create.passphrase-hint': 'At least {min} characters. A few unrelated words work well.',
  'create.confirm': 'Type it again',
  'create.submit': 'Create passphrase',
  'create.too-short': 'Use at least {min} characters.',
  'create.mismatch': 'The two passphrases are different.',

  'enrol.title': 'Connect this device',
  'enrol.body': 'Enter the one-time code your administrator gave you, paste the enrolment link, or scan its QR code.',
  'enrol.code': 'Enrolment code',
  'enrol.code-hint': 'Looks like ABCD-EFGH-JKMN-PQRS-TVWX-YZ12.',
  'enrol.submit': 'Connect',
  'enrol.malformed': 'This is not a valid enrolment code. It has 24 letters and digits, in groups of four.',
  'enrol.link-malformed': 'This enrolment link is not valid. Ask your administrator for a new one.',
  'enrol.other-server':
    'This enrolment link is for another server ({server}). Ask your administrator for a code for this one.',
  'enrol.scan': 'Scan the QR code',
  'enrol.scan-cancel': 'Stop scanning',
  'enrol.scan-help': 'Hold the QR code your administrator shows you in front of the camera.',
  'enrol.picture': 'Use a picture of the QR code',
  'enrol.qr-read': 'Code read from the QR code. Check it, then connect.',
  'enrol.qr-none': 'No QR code was found in that picture.',
  'enrol.camera-failed': 'The camera could not be used. Type the code, or use a picture of the QR code.',

  'unlock.title': 'OpenDescent is locked',
  'unlock.passphrase': 'Passphrase',
  'unlock.submit': 'Unlock',
  'unlock.forgot': 'Forgot your passphrase?',
  'unlock.forgot-body':
    'Without it, the messages on this device cannot be read. You can erase this device and connect it again with a new code from your administrator; earlier messages stay lost.',
  'unlock.erase': 'Erase this device',
  'unlock.erase-confirm': 'Yes, erase everything on this device',
  'unlock.passkey': 'Unlock with passkey',
  'unlock.or-passphrase': 'Or type your passphrase:',

  'wiped.title': 'This device was disconnected',
  'wiped.body': 'Your administrator revoked this device, and its keys were erased.',
  'wiped.when': 'Revoked {when}.',
  'wiped.start-over': 'Start over',

  'relay.online': 'Connected',
  'relay.connecting': 'Connecting…',
  'relay.offline': 'Offline',
  'relay.label': 'Connection: {status}',
  'relay.pending': '{count, plural, one {# message waiting to be sent} other {# messages waiting to be sent}}',

  'main.lock': 'Lock',
  'main.new-chat': 'New chat',
  'main.new-group': 'New group',
  'main.conversations': 'Conversations',
  'main.no-conversations': 'No conversations yet. Start one with “New chat”.',
  'main.pick-conversation': 'Choose a conversation, or start a new one.',
  'main.this-device': 'Signed in as',
  'main.not-reachable': 'Colleagues cannot start a conversation with you until this device has reached the relay.',
  'revocation.stale':
    'Revocation information is out of date (since {since}): this device cannot confirm that your colleagues’ devices are still trusted. Check your connection to your organisation’s server. If it is not updated by {heldFrom}, sending will be put on hold.',
  'revocation.sending-held':
    'Sending is on hold (since {since}): revocation information has been out of date for too long, so this device cannot vouch for any colleague’s device. Your messages wait on this device and leave as soon as it is updated; you can still receive and read messages. Check your connection to your organisation’s server.',
  'revocation.no-list':
    'Sending is on hold (since {since}): this device has not yet received the list of revoked devices, so it cannot vouch for any colleague’s device. Your messages wait on this device and leave as soon as it arrives. Check your connection to your organisation’s server.',
  'revocation.unverified':
    'A revocation list could not be verified and was ignored; this device keeps using the last verified one. If this happens again, tell your administrator.',
  'main.passkey': 'Passkey',

  'passkey.title': 'Unlock with a passkey',
  'passkey.body':
    'A passkey (your fingerprint, face, or this device’s PIN or security key) can unlock OpenDescent on this device instead of the passphrase. The passphrase keeps working, and you need it if the passkey is lost.',
  'passkey.enable': 'Unlock with a passkey instead of typing the passphrase',
  'passkey.enabled': 'A passkey unlocks OpenDescent on this device. The passphrase still works too.',
  'passkey.enabled-now': 'Done: next time, unlock with your passkey.',
  'passkey.disable': 'Stop using the passkey',
  'passkey.disabled-now': 'The passkey no longer unlocks OpenDescent on this device. Use your passphrase.',
  'passkey.unavailable': 'This browser cannot use a passkey to unlock OpenDescent. Keep using your passphrase.',
  'passkey.error.unsupported': 'This browser cannot use a passkey to unlock OpenDescent.',
  'passkey.error.no_prf': 'This passkey cannot unlock OpenDescent. Try another one, or keep using your passphrase.',
  'passkey.error.cancelled': 'The passkey was not used. Try again when you are ready.',
  'passkey.error.not_accepted': 'This passkey could not unlock OpenDescent. Use your passphrase.',
  'passkey.error.failed': 'The passkey did not work. Please try again.',

  'list.unread': '{count, plural, one {# unread message} other {# unread messages}}',
  'list.no-messages': 'No messages yet',

  // Message search (issue 15): the sidebar's field and its results.
  'search.label': 'Search messages',
  'search.results': 'Messages found',
  'search.count': '{count, plural, =0 {No messages found} one {# message found} other {# messages found}}',
  'search.none': 'No messages found',
  'search.searching': 'Searching…',
  'search.preparing': 'Search is getting ready…',
  'search.you': 'You',
  'search.unknown-conversation': 'A conversation no longer listed',

  'conversation.members': '{count, plural, one {# member} other {# members}}',
  'conversation.details': 'Group details',
  'conversation.safety-numbers': 'Safety numbers',
  'conversation.inactive': 'You are no longer a member of this conversation.',
  'conversation.key-changed':
    'The keys of a device of {name} changed. Check the safety number before sending anything sensitive.',
  'conversation.check': 'Check',
  'conversation.messages': 'Messages',
  'conversation.empty':
    'No messages yet. Messages are end-to-end encrypted: only the people in this conversation can read them.',
  'conversation.loading': 'Loading messages…',

  'message.status.queued': 'Waiting to send',
  'message.status.sent': 'Sent',
  'message.status.delivered': 'Delivered',
  'message.status.failed': 'Not sent',
  'message.disappears': 'Disappears {when}',
  'message.from': '{name} wrote:',

  'system.group_created': 'Group created by {by}',
  'system.member_added': '{member} was added by {by}',
  'system.member_removed': '{member} was removed by {by}',
  'system.member_left': '{member} left the conversation',
  'system.key_changed': 'The safety number of {member} changed',
  'system.device_added': '{member} started using a new device',
  'system.device_revoked': 'A device of {member} was revoked by the administrator',
  'system.device_not_logged':
    'A device of {member} is missing from your organisation’s public log: nothing is sent to it. Tell your administrator',
  'system.device_not_logged-you':
    'One of your devices is missing from your organisation’s public log: nothing is sent to it. Tell your administrator',
  'system.device_log_pending':
    'A device of {member} is not confirmed by your organisation’s public log yet (the log cannot be checked now): messages to it wait until it is',
  'system.disappearing_set': 'Disappearing messages set to {duration} by {by}',
  'system.disappearing_off': 'Disappearing messages turned off by {by}',
  'system.history_shared':
    '{count, plural, one {{by} shared # earlier message with {member}} other {{by} shared # earlier messages with {member}}}',
  'system.role_changed': '{member} was made {role, select, admin {an administrator} other {a member}} by {by}',
  'system.role_changed-you': 'You were made {role, select, admin {an administrator} other {a member}} by {by}',
  'system.title_changed': '{by} renamed the group “{title}”',
  'system.group_settings_changed':
    '{by} set: {announcementOnly, select, true {only administrators post} other {everyone posts}}, {addBy, select, everyone {every member adds members} other {administrators add members}}',
  'system.group_change_undone': 'A change made at the same time took precedence; the group is as shown below',
  'system.group_change_pending':
    'A device of {member} could not be reached yet: the group change is sent again until it is',
  'system.member_added-you': 'You were added by {by}',
  'system.member_removed-you': 'You were removed by {by}',
  'system.member_left-you': 'You left the conversation',
  'system.device_added-you': 'You started using a new device',
  'system.device_revoked-you': 'One of your devices was revoked by the administrator',
  'system.history_shared-own':
    '{count, plural, one {{by} shared # earlier message with their other devices} other {{by} shared # earlier messages with their other devices}}',
  'system.history_shared-by-you':
    '{count, plural, one {You shared # earlier message with {member}} other {You shared # earlier messages with {member}}}',
  'system.history_shared-own-you':
    '{count, plural, one {You shared # earlier message with your other devices} other {You shared # earlier messages with your other devices}}',

  'composer.label': 'Message',
  'composer.placeholder': 'Write a message',
  'composer.send': 'Send',
  'composer.hint': 'Enter to send, Shift+Enter for a new line',

  'disappearing.label': 'Disappearing messages',
  'disappearing.off': 'Off',

  'new-chat.title': 'New chat',
  'new-chat.address': 'Email address',
  'new-chat.hint': 'The exact work address of the person, such as alex@example.org.',
  'new-chat.submit': 'Start chat',

  'new-group.title': 'New group',
  'new-group.name': 'Group name',
  'new-group.addresses': 'Members’ email addresses',
  'new-group.addresses-hint': 'One per line, or separated by commas.',
  'new-group.submit': 'Create group',
  'new-group.no-addresses': 'Add at least one address.',

  'new-group.announcement': 'Only administrators can post',
  'details.admin': 'Administrator',
  'details.make-admin': 'Make {name} an administrator',
  'details.make-member': 'Make {name} a member (no longer an administrator)',
  'details.settings': 'Settings',
  'details.announcement': 'Only administrators can post',
  'details.add-by': 'Who can add members',
  'details.add-by-admins': 'Administrators',
  'details.add-by-everyone': 'Every member',
  'details.settings-summary':
    '{announcementOnly, select, true {Only administrators post.} other {Everyone posts.}} {addBy, select, everyone {Every member can add members.} other {Administrators add members.}}',
  'conversation.announcement-only': 'Only administrators post in this group.',
  'details.title': 'Group details',
  'details.members': 'Members',
  'details.you': '(you)',
  'details.remove': 'Remove {name}',
  'details.add': 'Add a member',
  'details.add-address': 'Email address',
  'details.add-submit': 'Add',
  'details.leave': 'Leave group',
  'details.share-history': 'Share the last {count} messages with {name}',
  'details.share-history-self': 'Share the last {count} messages with your other devices',
  'details.share-history-done':
    '{count, plural, one {# message shared with {name}. Everyone in the group can see that you did.} other {# messages shared with {name}. Everyone in the group can see that you did.}}',
  'message.shared-by': 'Shared by {name}',
  'details.devices': '{count, plural, one {# device} other {# devices}}',

  // The web client's screens (issue 12): page titles, limits on typed text, revocation reasons.
  'title.format': '{screen} — {app}',
  'title.unread': '({count}) {title}',
  'title.loading': 'Starting',
  'title.unsupported': 'Browser not supported',
  'title.other-tab': 'Open in another tab',
  'title.failed': 'Stopped',
  'title.wiped': 'Device disconnected',
  'title.create-passphrase': 'Create a passphrase',
  'title.unlock': 'Unlock',
  'title.enrol': 'Connect this device',
  'title.main': 'Messages',
  'composer.count': '{count} / {max}',
  'composer.count-label': '{count} characters of {max}',
  'composer.too-long':
    'This message is too long to send: at most {max} characters. Shorten it, or send it in several parts; your text stays here.',
  'new-group.title-too-long': 'A group name can have at most {max} characters; this one has {count}.',
  'address.too-long': 'An email address has at most {max} characters; this one has {count}. Check what was pasted.',
  'message.from-you': 'You wrote:',
  'relay.finishing': 'Finishing setup…',
  'wiped.reason.unspecified': 'No reason was given.',
  'wiped.reason.lost_or_stolen': 'Reason: the device was reported lost or stolen.',
  'wiped.reason.compromised': 'Reason: the device may have been compromised (someone else may have had access to it).',
  'wiped.reason.left_organisation': 'Reason: its owner has left the organisation.',
  'wiped.reason.replaced': 'Reason: the device was replaced by another one.',

  'error.wrong_passphrase': 'That passphrase is not right.',
  'error.weak_passphrase': 'That passphrase is too easy to guess. Choose a longer one.',
  'error.locked': 'OpenDescent is locked. Unlock it first.',
  'error.not_enrolled': 'This device is not connected to your organisation yet.',
  'error.already_enrolled': 'This device is already connected.',
  'error.enrolment_refused':
    'The code was refused. It may have expired or been used already; ask your administrator for a new one.',
  'error.admin_unreachable': 'Your organisation’s server cannot be reached. Check your connection and try again.',
  'error.relay_unreachable':
    'The message relay cannot be reached. Your message will be sent when the connection is back.',
  'error.not_found': 'Nobody with this address was found in your organisation.',
  'error.no_devices':
    'No enrolled device was found for this address: nobody here uses it, or its owner has not finished connecting a device yet.',
  'error.invalid_address': 'This is not a valid email address.',
  'error.own_address': 'That is your own address: choose someone else to write to.',
  'error.rate_limited': 'Too many attempts. Wait a moment and try again.',
  'error.directory_suspended':
    'Your administrator has paused your access to the staff directory after too many look-ups. Ask them to resume it.',
  'error.not_a_member': 'You are not a member of this conversation.',
  'error.message_too_long': 'This message is too long.',
  'error.revoked': 'This device was revoked by your administrator.',
  'error.not_allowed': 'The group’s rules do not let you do that: ask an administrator.',
  'error.last_admin': 'A group needs at least one administrator: make someone else an administrator first.',
  'error.file_too_large': 'That file is too large to send (100 MB at most).',
  'error.storage_full':
    'There is no room left for files on this device or on the server: remove old files or try later.',
  'error.attachment_expired': 'That file is no longer on the server: ask the sender to send it again.',
  'error.attachment_invalid': 'That file did not pass its integrity check and was not kept.',
  'error.cancelled': 'Cancelled.',
  'error.internal': 'Something went wrong. Please try again.',

  // The vault at rest (issue 12): passphrase strength, unlock back-off.
  'create.strength.0': 'Strength: very weak',
  'create.strength.1': 'Strength: weak',
  'create.strength.2': 'Strength: fair, not enough yet',
  'create.strength.3': 'Strength: good',
  'create.strength.4': 'Strength: very good',
  'create.too-weak':
    'This passphrase is too easy to guess. Add more words, or words that do not go together; avoid names, dates and well-known phrases.',
  'create.strength-unavailable': 'The strength of this passphrase could not be checked. Reload the page and try again.',
  'unlock.wait': 'Too many wrong passphrases. You can try again in {time}.',
  'unlock.wait-over': 'You can try your passphrase again.',
  'error.unlock_delayed': 'Too many wrong passphrases. Wait a little before trying again.',

  // Files and photos (issue 15): attaching in the composer, the card of a file in a conversation.
  'composer.attach': 'Attach a file',
  'composer.attach-hint':
    'One file at a time, up to 100 MB. You can also paste a file or drop it on the conversation; the text you type goes with it as its caption.',
  'composer.attach-one':
    '{count, plural, one {Send one file at a time.} other {Send one file at a time: these # files were not sent.}}',
  'composer.sealing': 'Encrypting {name} on this device…',
  'composer.drop-here': 'Drop the file to send it in this conversation',
  'attachment.details': '{size} · {type}',
  'attachment.uploading': 'Sending…',
  'attachment.downloading': 'Downloading…',
  'attachment.progress-upload': 'Sending {name}',
  'attachment.progress-download': 'Downloading {name}',
  'attachment.download': 'Download ({size})',
  'attachment.save': 'Save',
  'attachment.open-image': 'Open the image {name}',
  'attachment.opening': 'Opening the image…',

  // Notifications (issue 15): never a message's text or a group's name; the sender only if chosen.
  'notifications.new-message': 'New message',
  'notifications.new-message-from': 'New message from {name}',
  'notifications.turn-on': 'Turn on notifications',
  'notifications.blocked': 'Notifications are blocked for this site in your browser’s settings.',
  'notifications.on': 'Notifications are on. They never show what a message says.',
  'notifications.show-sender': 'Show the sender’s name in notifications',
  'notifications.show-sender-hint':
    'Off by default: this device’s system keeps notifications outside OpenDescent’s encrypted storage.',

  // Device approval, account keys, safety numbers and trust alerts (en-trust.ts). Spread last: a key
  // also written above then fails type-checking (TS2783) instead of being silently replaced.
  ...enTrust,
  ...enMessages,
  ...enSettings,
} as const satisfies Record<string, string>;
