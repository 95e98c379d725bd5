/**
 * English for trust: a person approving their own devices, account (user) keys, safety numbers
 * and the alerts about keys and the organisation’s public log. Apart from en.ts only to keep each
 * file readable: en.ts spreads `enTrust` into `en`, and fr-trust.ts goes through
 * `translation(enTrust, …)`, so a key missing or extra there, or a message with other arguments,
 * fails type-checking in that file.
 */
export const enTrust = {
  // Safety numbers: one per person, compared on screen, by QR code or by picture.
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

  // How far a device is trusted, shown next to it (DeviceTrust in messenger/api.ts).
  'trust.unverified': 'Not verified',
  'trust.verified': 'Verified',
  'trust.key_changed': 'Device keys changed',
  'trust.revoked': 'Revoked',

  // Alerts on the main screen: organisation keys or public log that do not check out, own devices nobody approved.
  'trust.org-keys':
    'Your organisation’s keys could not be verified ({at}): a key change was offered that this device cannot trust, so it keeps the keys it had. Tell your administrator.',
  'trust.log-fork':
    'Your organisation’s server has shown this device two contradicting histories of its device records ({at}). Someone may be adding devices that only some people see. Tell your administrator and your security team; this device keeps the history it checked first.',
  'trust.not-in-log':
    'This device’s own record is missing from your organisation’s public log ({at}): the server may be hiding what it signs. Tell your administrator and your security team.',
  'trust.bad-tree-head':
    'Your organisation’s public log could not be verified ({at}); this device keeps the last one it checked. If this happens again, tell your administrator.',
  'trust.unapproved-own-device':
    '{count, plural, one {A device was added to your account without your approval. Nothing is sent to it. If you are connecting a new device yourself, approve it with “Link a new device”. Otherwise, contact your administrator to have it revoked: someone may be trying to read your messages.} other {# devices were added to your account without your approval. Nothing is sent to them. If you are connecting a new device yourself, approve it with “Link a new device”. Otherwise, contact your administrator to have them revoked: someone may be trying to read your messages.}}',
  'trust.unapproved-own-device-list': 'Device numbers',

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
