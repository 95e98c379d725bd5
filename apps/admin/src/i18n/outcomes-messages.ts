// What an action did, said where focus lands once it is done (the console's outcome line), and
// the names of the scrolling table regions. One area of the admin app's catalogue (messages.ts
// merges every area). Both languages have exactly the same keys and arguments: `translation` proves it at compile time.
import { translation } from '@opendescent/i18n';

export const en = {
  outcomeCodeCancelled: 'The enrolment code was cancelled.',
  outcomeLinkCancelled: 'The link was cancelled.',
  outcomeKeyPrepared:
    'A next key is prepared: give the new relay configuration to every relay and client, then activate it.',
  outcomeKeyDiscarded: 'The next key was discarded.',
  outcomeKeyActivated: 'The new key now signs.',
  outcomeMemberEnabled: 'The member is enabled again.',
  outcomeAdminRemoved: 'The administrator was removed.',
  outcomeAlertAcknowledged: 'The alert was acknowledged.',
  outcomeDirectoryResumed: 'Directory access resumed.',
  mainNavigation: 'Main menu',
} as const;

export const fr = translation(en, {
  outcomeCodeCancelled: 'Le code d’inscription a été annulé.',
  outcomeLinkCancelled: 'Le lien a été annulé.',
  outcomeKeyPrepared:
    'Une clé suivante est prête : donnez la nouvelle configuration à chaque relais et client, puis activez-la.',
  outcomeKeyDiscarded: 'La clé suivante a été abandonnée.',
  outcomeKeyActivated: 'La nouvelle clé signe désormais.',
  outcomeMemberEnabled: 'Le membre est de nouveau actif.',
  outcomeAdminRemoved: 'L’administrateur a été retiré.',
  outcomeAlertAcknowledged: 'L’alerte a été marquée comme vue.',
  outcomeDirectoryResumed: 'L’accès à l’annuaire est rétabli.',
  mainNavigation: 'Menu principal',
});
