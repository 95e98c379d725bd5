// Directory limits, alerts and suspension: the home page, the member page.
// One area of the admin app's catalogue (messages.ts merges every area). Both languages have
// exactly the same keys and arguments: `translation` proves it at compile time.
import { translation } from '@opendescent/i18n';

export const en = {
  dirAlertsHeading: 'Directory alerts',
  dirAlertsMore: 'And {count, number} more: see each member’s page.',
  dirAlert_device_limit:
    '{name} ({address}): a device reached its hourly directory limit; {hits, plural, one {# look-up refused, at {time}} other {# look-ups refused, the last at {time}}}.',
  dirAlert_member_limit:
    '{name} ({address}): reached the member’s directory limit (all their devices together); {hits, plural, one {# look-up refused, at {time}} other {# look-ups refused, the last at {time}}}.',
  dirAlert_organisation_limit:
    'The organisation-wide directory ceiling was reached: several members may be collecting addresses. {hits, plural, one {# look-up refused, at {time}} other {# look-ups refused, the last at {time}}}.',
  dirAlert_member_suspended:
    '{name} ({address}): directory access suspended after too many refused look-ups; {hits, plural, one {# refused, at {time}} other {# refused, the last at {time}}}.',
  dirAlert_device_revoked:
    '{name} ({address}): a revoked device is still asking the directory; {hits, plural, one {# look-up refused, at {time}} other {# look-ups refused, the last at {time}}}.',
  dirAlertOther:
    '{name}: directory alert “{scope} / {level}”; {hits, plural, one {# look-up refused, at {time}} other {# look-ups refused, the last at {time}}}.',
  dirOrganisation: 'Organisation',
  dirReview: 'Review',
  dirPanelHeading: 'Directory',
  dirSuspended:
    'Directory access suspended since {time}: this member’s look-ups are refused until an administrator resumes it.',
  dirAcknowledge: 'Acknowledge',
  dirResume: 'Resume directory access',
} as const;

export const fr = translation(en, {
  dirAlertsHeading: 'Alertes de l’annuaire',
  dirAlertsMore: 'Et {count, number} de plus : voir la page de chaque membre.',
  dirAlert_device_limit:
    '{name} ({address}) : un appareil a atteint sa limite horaire de l’annuaire ; {hits, plural, one {# recherche refusée, le {time}} other {# recherches refusées, la dernière le {time}}}.',
  dirAlert_member_limit:
    '{name} ({address}) : limite de l’annuaire du membre atteinte (tous ses appareils ensemble) ; {hits, plural, one {# recherche refusée, le {time}} other {# recherches refusées, la dernière le {time}}}.',
  dirAlert_organisation_limit:
    'Le plafond de l’annuaire pour toute l’organisation a été atteint : plusieurs membres collectent peut-être des adresses. {hits, plural, one {# recherche refusée, le {time}} other {# recherches refusées, la dernière le {time}}}.',
  dirAlert_member_suspended:
    '{name} ({address}) : accès à l’annuaire suspendu après trop de recherches refusées ; {hits, plural, one {# refusée, le {time}} other {# refusées, la dernière le {time}}}.',
  dirAlert_device_revoked:
    '{name} ({address}) : un appareil révoqué interroge encore l’annuaire ; {hits, plural, one {# recherche refusée, le {time}} other {# recherches refusées, la dernière le {time}}}.',
  dirAlertOther:
    '{name} : alerte de l’annuaire « {scope} / {level} » ; {hits, plural, one {# recherche refusée, le {time}} other {# recherches refusées, la dernière le {time}}}.',
  dirOrganisation: 'Organisation',
  dirReview: 'Examiner',
  dirPanelHeading: 'Annuaire',
  dirSuspended:
    'Accès à l’annuaire suspendu depuis le {time} : les recherches de ce membre sont refusées jusqu’à ce qu’un administrateur le rétablisse.',
  dirAcknowledge: 'Marquer comme vue',
  dirResume: 'Rétablir l’accès à l’annuaire',
});
