// Directory limits, alerts and suspension: the home page, the member page.
// One area of the admin app's catalogue (messages.ts merges every area). Both languages have
// exactly the same keys: the type of `fr` says so.

export const en = {
  dirAlertsHeading: 'Directory alerts',
  dirAlertsMore: 'And {count} more: see each member’s page.',
  dirAlert_device_limit: '{name} ({address}): a device reached its hourly directory limit; {hits} look-ups refused, the last at {time}.',
  dirAlert_member_limit: '{name} ({address}): reached the member’s directory limit (all their devices together); {hits} look-ups refused, the last at {time}.',
  dirAlert_organisation_limit: 'The organisation-wide directory ceiling was reached: several members may be collecting addresses. {hits} look-ups refused, the last at {time}.',
  dirAlert_member_suspended: '{name} ({address}): directory access suspended after too many refused look-ups; {hits} refused, the last at {time}.',
  dirAlert_device_revoked: '{name} ({address}): a revoked device is still asking the directory; {hits} look-ups refused, the last at {time}.',
  dirAlertOther: '{name}: directory alert “{scope} / {level}”; {hits} look-ups refused, the last at {time}.',
  dirOrganisation: 'Organisation',
  dirReview: 'Review',
  dirPanelHeading: 'Directory',
  dirSuspended: 'Directory access suspended since {time}: this member’s look-ups are refused until an administrator resumes it.',
  dirAcknowledge: 'Acknowledge',
  dirResume: 'Resume directory access',
} as const;

export const fr: { [K in keyof typeof en]: string } = {
  dirAlertsHeading: 'Alertes de l’annuaire',
  dirAlertsMore: 'Et {count} de plus : voir la page de chaque membre.',
  dirAlert_device_limit: '{name} ({address}) : un appareil a atteint sa limite horaire de l’annuaire ; {hits} recherches refusées, la dernière le {time}.',
  dirAlert_member_limit: '{name} ({address}) : limite de l’annuaire du membre atteinte (tous ses appareils ensemble) ; {hits} recherches refusées, la dernière le {time}.',
  dirAlert_organisation_limit: 'Le plafond de l’annuaire pour toute l’organisation a été atteint : plusieurs membres collectent peut-être des adresses. {hits} recherches refusées, la dernière le {time}.',
  dirAlert_member_suspended: '{name} ({address}) : accès à l’annuaire suspendu après trop de recherches refusées ; {hits} refusées, la dernière le {time}.',
  dirAlert_device_revoked: '{name} ({address}) : un appareil révoqué interroge encore l’annuaire ; {hits} recherches refusées, la dernière le {time}.',
  dirAlertOther: '{name} : alerte de l’annuaire « {scope} / {level} » ; {hits} recherches refusées, la dernière le {time}.',
  dirOrganisation: 'Organisation',
  dirReview: 'Examiner',
  dirPanelHeading: 'Annuaire',
  dirSuspended: 'Accès à l’annuaire suspendu depuis le {time} : les recherches de ce membre sont refusées jusqu’à ce qu’un administrateur le rétablisse.',
  dirAcknowledge: 'Marquer comme vue',
  dirResume: 'Rétablir l’accès à l’annuaire',
};
