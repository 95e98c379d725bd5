/**
 * English, the reference dictionary, in ICU MessageFormat (libs/i18n, docs/decisions/0013-i18n-core.md):
 * `{name}` marks a value filled in at run time (numbers formatted for the language), and
 * `{count, plural, one {…} other {…}}` picks a form by CLDR plural rules. fr.ts goes through
 * `translation(en, …)`: a key missing there or extra, or a message with other arguments, fails
 * type-checking.
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
  'trust.org-keys':
    'Your organisation’s keys could not be verified ({at}): a key change was offered that this device cannot trust, so it keeps the keys it had. Tell your administrator.',
  'trust.log-fork':
    'Your organisation’s server has shown this device two contradicting histories of its device records ({at}). Someone may be adding devices that only some people see. Tell your administrator and your security team; this device keeps the history it checked first.',
  'trust.not-in-log':
    'This device’s own record is missing from your organisation’s public log ({at}): the server may be hiding what it signs. Tell your administrator and your security team.',
  'trust.bad-tree-head':
    'Your organisation’s public log could not be verified ({at}); this device keeps the last one it checked. If this happens again, tell your administrator.',
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
  'system.disappearing_set': 'Disappearing messages set to {duration} by {by}',
  'system.disappearing_off': 'Disappearing messages turned off by {by}',
  'system.history_shared':
    '{count, plural, one {{by} shared # earlier message with {member}} other {{by} shared # earlier messages with {member}}}',
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

  'safety.title': 'Safety numbers',
  'safety.body':
    'Compare your safety number with each person, in person or on a call you trust, or read the QR code on their screen. If they match, nobody stands between you. There is one number per person: it stays the same whatever devices either of you uses.',
  'safety.device': 'Device {id}',
  'safety.devices': 'Devices of {name}',
  'safety.digits': 'Safety number',
  'safety.qr': 'QR code of the safety number with {name}',
  'safety.none-yet': 'No safety number yet: none of {name}’s devices is approved.',
  'safety.verified': 'Verified',
  'safety.verified-before': 'Verified (previous key)',
  'safety.not-verified': 'Not verified',
  'safety.mark-verified': 'Mark as verified',
  'safety.mark-verified-named': 'Mark as verified: {name}',
  'safety.none': 'There is nobody to verify in this conversation yet.',
  'safety.loading': 'Loading safety numbers…',
  'safety.previous-key':
    'The account key of {name} changed: this number is for their previous key. If they started again on new devices, their screen now shows another number: accept the new key, then compare the new number with them. If their screen still shows this number, do not accept the new key, and tell your administrator.',
  'safety.qr-picture': 'Compare with a picture of their QR code',
  'safety.qr-scan': 'Scan their QR code',
  'safety.qr-scan-help':
    'Hold the screen of {name}, open on the safety numbers of this conversation, in front of the camera.',
  'safety.qr-scan-cancel': 'Stop scanning',
  'safety.qr-camera-failed': 'The camera could not be used. Use a picture of their QR code, or compare the numbers.',
  'safety.qr-none': 'No QR code was found in that picture.',
  'safety.qr-comparing': 'Comparing…',
  'safety.qr-match': 'The QR code matches: you have verified {name}.',
  'safety.qr-mismatch':
    'The numbers differ, so {name} was not marked as verified. The picture may show an old screen, another conversation or your own screen; it may also mean that someone is intercepting your messages. Ask {name} to open the safety numbers of this conversation, then compare again.',

  'trust.unverified': 'Not verified',
  'trust.verified': 'Verified',
  'trust.key_changed': 'Device keys changed',
  'trust.revoked': 'Revoked',

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

  // A person's devices approve each other (issue 13, docs/protocol/user-keys.md §2.5 and §3).
  'main.link-device': 'Link a new device',
  'link-offer.title': 'Approve this device from another of your devices',
  'link-offer.body':
    'Your account is already used on another device. Until one of your devices approves this one, your contacts send nothing to it and it cannot send messages. You can still look through your conversations.',
  'link-offer.steps':
    'On a device you already use, choose “Link a new device”, then scan this QR code or type the code below.',
  'link-offer.qr': 'QR code that approves this device',
  'link-offer.code': 'Code to type on your other device',
  'link-offer.device': 'Device number of this device: {id}',
  'link-offer.valid-until':
    'Valid until {time}. Show it only to your own device: never send it, and never read it out to anyone.',
  'link-offer.loading': 'Preparing a code…',
  'link-offer.expired': 'This code has expired. Ask for a new one when your other device is at hand.',
  'link-offer.new-code': 'New code',
  'link-offer.retry': 'Try again',
  'link.title': 'Link a new device',
  'link.body':
    'On the new device, a QR code and a code of 32 letters and digits appear under “Approve this device from another of your devices”. Scan the QR code, use a picture of it, or type the code.',
  'link.code': 'Code shown on the new device',
  'link.code-hint': 'Looks like BOZM-RPRK-JKHC-P644-NDBL-DH42-AOKV-3SM2.',
  'link.scan': 'Scan the QR code',
  'link.scan-cancel': 'Stop scanning',
  'link.scan-help': 'Hold the new device’s screen in front of the camera.',
  'link.picture': 'Use a picture of the QR code',
  'link.qr-read': 'QR code read. Select “Check” to see which device it names.',
  'link.qr-none': 'No QR code was found in that picture.',
  'link.qr-other':
    'This QR code is not for linking a device. Use the one shown on the new device, under “Approve this device from another of your devices”.',
  'link.camera-failed': 'The camera could not be used. Type the code, or use a picture of the QR code.',
  'link.empty': 'Type the code shown on the new device, or read its QR code.',
  'link.too-long': 'This is too long to be a device-link code. Check what was pasted.',
  'link.enrolment-code':
    'This is an enrolment code from your administrator. Here, use the code the new device shows once it is connected.',
  'link.check': 'Check',
  'link.confirm-title': 'Approve this device?',
  'link.confirm-body':
    'Approve it only if it is the device you are connecting now, and if its device number matches the one shown on its screen. Once approved, it can read every message sent to you from then on.',
  'link.name': 'Name',
  'link.no-name': 'No name given',
  'link.device': 'Device number',
  'link.enrolled': 'Connected to your organisation',
  'link.approve': 'Approve',
  'link.approved':
    'Approved. The new device receives your account key in a moment, and the request to approve it then disappears from its screen by itself.',
  'trust.unapproved-own-device':
    '{count, plural, one {A device was added to your account without your approval. Nothing is sent to it. If you are connecting a new device yourself, approve it with “Link a new device”. Otherwise, contact your administrator to have it revoked: someone may be trying to read your messages.} other {# devices were added to your account without your approval. Nothing is sent to them. If you are connecting a new device yourself, approve it with “Link a new device”. Otherwise, contact your administrator to have them revoked: someone may be trying to read your messages.}}',
  'trust.unapproved-own-device-list': 'Device numbers',
  'system.device_unapproved': 'A device of {member} is not approved by them: nothing is sent to it',
  'system.device_unapproved-you':
    'A device was added to your account without your approval: nothing is sent to it. If you did not add it, tell your administrator',
  'system.user_key_changed':
    'The account key of {member} changed. This happens when they start again on new devices, and also when someone tries to intercept your messages. Nothing is sent to devices under the new key until you accept it',
  'system.user_key_changed-you':
    'Another account key appeared for your account. If you did not start again on new devices, tell your administrator',
  'system.user_key_accepted': 'You accepted the new account key of {member}',
  'system.user_key_accepted-you': 'You accepted the new key of your account',
  'error.not_approved': 'This device is not approved yet. Approve it from another of your devices first.',
  'error.already_approved': 'This device is already approved.',
  'error.link_invalid':
    'This is not a valid device-link code. Check each character: it has 32 letters (A to Z) and digits (2 to 7), in groups of four.',
  'error.link_no_match':
    'This code matches none of your devices waiting for approval. Check that it is the code the new device shows now (a code lasts 10 minutes). If you did not start linking a new device yourself, approve nothing: this may be an attack. Tell your administrator.',

  // A contact's user key changed, devices their user key did not approve (issue 13, user-keys.md §2.5).
  'user-key.changed':
    'The account key of {name} changed. This happens when they start again on new devices, and also when someone tries to intercept your messages. Your messages are not sent to their new devices until you accept the new key. If you can, compare safety numbers with {name} first, in person or on a call you trust.',
  'user-key.compare': 'Compare safety numbers',
  'user-key.compare-named': 'Compare safety numbers with {name}',
  'user-key.accept': 'Accept the new key',
  'user-key.accept-named': 'Accept the new key of {name}',
  'user-key.changed-verified':
    'You verified {name}. Their account key changed: nothing is sent in this conversation until you accept the new key. Accept it only if {name} confirms they started again on new devices, then compare your new safety number with them.',
  'error.safety_qr_invalid':
    'This QR code is not a safety number. Read the one shown under “Safety numbers” on the other person’s device.',
  'error.key_change_unaccepted':
    'Not sent: the account key of someone you verified in this conversation changed. Accept their new key first (see the warning above); your text stays here.',
  'device.unapproved': 'Not approved by {name}: receives nothing',
  'device.unapproved-you': 'Not approved by you: receives nothing',
  'message.warning': 'Warning:',
  'message.unapproved-device': 'Sent from a device {name} has not approved',
  'message.unapproved-device-you': 'Sent from a device of yours that you have not approved',
} as const satisfies Record<string, string>;
