// The audit log page and its chain verification; also the console's not-found page.
// One area of the admin app's catalogue (messages.ts merges every area). Both languages have
// exactly the same keys and arguments: `translation` proves it at compile time.
import { translation } from '@opendescent/i18n';

export const en = {
  auditTimesNote: 'Times are in your browser’s time zone.',
  actorAdminRole: 'administrator',
  actorAdminGone: 'An administrator who no longer exists ({id})',
  actorDevice: '{name} ({address})',
  actorDeviceLabel: 'device',
  actorDeviceGone: 'Device {device}, no longer known',
  actorSystem: 'The server',
  actorCommand: 'A command run on the server',
  actorUnknown: 'Unknown: {actor}',
  notFoundHeading: 'Not found',
  notFoundDetail: 'There is no page at this address, or what it named no longer exists.',
  notFoundHome: 'Back to the console',
} as const;

export const fr = translation(en, {
  auditTimesNote: 'Les heures sont dans le fuseau horaire de votre navigateur.',
  actorAdminRole: 'administrateur',
  actorAdminGone: 'Un administrateur qui n’existe plus ({id})',
  actorDevice: '{name} ({address})',
  actorDeviceLabel: 'appareil',
  actorDeviceGone: 'Appareil {device}, inconnu désormais',
  actorSystem: 'Le serveur',
  actorCommand: 'Une commande lancée sur le serveur',
  actorUnknown: 'Inconnu : {actor}',
  notFoundHeading: 'Page introuvable',
  notFoundDetail: 'Il n’y a pas de page à cette adresse, ou ce qu’elle désignait n’existe plus.',
  notFoundHome: 'Retour à la console',
});
