// Member lifecycle (active / disabled) on the Members and member pages.
// One area of the admin app's catalogue (messages.ts merges every area). Both languages have
// exactly the same keys and arguments: `translation` proves it at compile time.
import { translation } from '@opendescent/i18n';

export const en = {
  memberStatus: 'Status',
  memberStatus_active: 'active',
  memberStatus_disabled: 'disabled',
  memberDisabledSince: 'Disabled {time}: every device was revoked and no new enrolment code can be made.',
  disableMember: 'Disable…',
  disableMemberConfirm:
    'Disable {name}? {count, plural, =0 {They have no active device; every pending enrolment code is cancelled.} one {Their active device is revoked (for good) and every pending enrolment code is cancelled.} other {All # active devices are revoked (for good) and every pending enrolment code is cancelled.}} Use it when someone leaves.',
  disableMemberButton: 'Disable',
  disableMemberReason: 'Reason given for the devices',
  // Filled in the browser from the answer of the disable action (src/ui/confirm-action.tsx): its field names.
  memberDisabledOutcome:
    'Disabled: {revoked, plural, one {# device} other {# devices}} revoked, {codesCancelled, plural, one {# code} other {# codes}} cancelled; revocation list version {listVersion, number, ::group-off}.',
  enableMember: 'Enable again',
  enableMemberDetail: 'Enabling lets you make new enrolment codes for this member. Their revoked devices stay revoked.',
} as const;

export const fr = translation(en, {
  memberStatus: 'État',
  memberStatus_active: 'actif',
  memberStatus_disabled: 'désactivé',
  memberDisabledSince:
    'Désactivé le {time} : tous les appareils ont été révoqués et aucun nouveau code d’enrôlement ne peut être créé.',
  disableMember: 'Désactiver…',
  disableMemberConfirm:
    'Désactiver {name} ? {count, plural, =0 {Aucun appareil actif ; tous ses codes d’enrôlement en attente sont annulés.} one {Son appareil actif est révoqué (coupé définitivement) et tous ses codes d’enrôlement en attente sont annulés.} other {Ses # appareils actifs sont révoqués (coupés définitivement) et tous ses codes d’enrôlement en attente sont annulés.}} À utiliser quand une personne s’en va.',
  disableMemberButton: 'Désactiver',
  disableMemberReason: 'Motif indiqué pour les appareils',
  memberDisabledOutcome:
    'Désactivé : {revoked, plural, one {# appareil révoqué} other {# appareils révoqués}}, {codesCancelled, plural, one {# code annulé} other {# codes annulés}} ; liste de révocation version {listVersion, number, ::group-off}.',
  enableMember: 'Réactiver',
  enableMemberDetail:
    'Réactiver permet de créer de nouveaux codes d’enrôlement pour ce membre. Ses appareils révoqués le restent.',
});
