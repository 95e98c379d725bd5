// Member lifecycle (active / disabled) on the Members and member pages.
// One area of the admin app's catalogue (messages.ts merges every area). Both languages have
// exactly the same keys: the type of `fr` says so.

export const en = {
  memberStatus: 'Status',
  memberStatus_active: 'active',
  memberStatus_disabled: 'disabled',
  memberDisabledSince: 'Disabled {time}: every device was revoked and no new enrolment code can be made.',
  disableMember: 'Disable…',
  disableMemberConfirm: 'Disable {name}? All {count} active devices are revoked (cut off for good) and every pending enrolment code is cancelled. Use it when someone leaves.',
  disableMemberButton: 'Disable',
  disableMemberReason: 'Reason given for the devices',
  memberDisabledOutcome: 'Disabled: {count} device(s) revoked, {codes} code(s) cancelled; revocation list version {version}.',
  enableMember: 'Enable again',
  enableMemberDetail: 'Enabling lets you make new enrolment codes for this member. Their revoked devices stay revoked.',
} as const;

export const fr: { [K in keyof typeof en]: string } = {
  memberStatus: 'État',
  memberStatus_active: 'actif',
  memberStatus_disabled: 'désactivé',
  memberDisabledSince: 'Désactivé le {time} : tous les appareils ont été révoqués et aucun nouveau code d’enrôlement ne peut être créé.',
  disableMember: 'Désactiver…',
  disableMemberConfirm: 'Désactiver {name} ? Ses {count} appareils actifs sont révoqués (coupés définitivement) et tous ses codes d’enrôlement en attente sont annulés. À utiliser quand une personne s’en va.',
  disableMemberButton: 'Désactiver',
  disableMemberReason: 'Motif indiqué pour les appareils',
  memberDisabledOutcome: 'Désactivé : {count} appareil(s) révoqué(s), {codes} code(s) annulé(s) ; liste de révocation version {version}.',
  enableMember: 'Réactiver',
  enableMemberDetail: 'Réactiver permet de créer de nouveaux codes d’enrôlement pour ce membre. Ses appareils révoqués le restent.',
};
