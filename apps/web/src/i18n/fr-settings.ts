import { translation } from '@opendescent/i18n';
import { enSettings } from './en-settings';

/** French for en-settings.ts, checked against it key by key and argument by argument; fr.ts spreads it into `fr`. */
export const frSettings = translation(enSettings, {
  // La notification d’une mention, seulement avec le nom de l’expéditeur (voir notifications.ts).
  // Au présent : « vous a mentionné » s’accorderait avec un genre que l’application ignore.
  'notifications.mentioned-you': '{name} vous mentionne',

  // Quels messages d’une discussion donnent une notification (main/notify-level-select.tsx).
  'notify.label': 'Notifications de cette discussion',
  'notify.all': 'Tous les messages',
  'notify.mentions': 'Mentions uniquement',
  'notify.none': 'Désactivées',

  // La liste des discussions (main/conversation-list.tsx).
  'list.mentioned': 'Mention de votre nom',
  'list.muted': 'Notifications désactivées',

  // Ce que les autres peuvent remarquer (main/privacy-settings.tsx) : réciproque, vu des seuls membres d’une discussion.
  'privacy.title': 'Confidentialité',
  'privacy.read-receipts': 'Envoyer et afficher les confirmations de lecture',
  'privacy.read-receipts-hint':
    'Montre aux membres d’une discussion quand vous avez lu leurs messages (chiffré de bout en bout). Désactivées : vous ne voyez pas non plus les leurs.',
  'privacy.typing': 'Envoyer et afficher les indicateurs de saisie',
  'privacy.typing-hint':
    'Montre aux membres d’une discussion quand vous écrivez (chiffré de bout en bout). Désactivés : vous ne voyez pas non plus les leurs.',
  'privacy.direct': 'Connexions directes',
  'privacy.direct-direct': 'Directes si possible',
  'privacy.direct-turn_only': 'Seulement par le serveur TURN de l’organisation',
  'privacy.direct-off': 'Désactivées : toujours par le relais',
  'privacy.direct-hint':
    'Les messages vont droit à l’appareil d’un collègue quand les deux sont en ligne, toujours chiffrés de bout en bout, et passent encore si le relais est arrêté. L’appareil du collègue apprend votre adresse réseau ; l’option TURN la lui cache mais montre la paire au serveur TURN de l’organisation.',
  'conversation.path-direct': 'Direct',
  'conversation.path-relay': 'Par le relais',
  'conversation.path-mixed': 'En partie direct',
});
