import { translation } from '@opendescent/i18n';
import { enMessages } from './en-messages';

/** French for en-messages.ts, checked against it key by key and argument by argument; fr.ts spreads it into `fr`. */
export const frMessages = translation(enMessages, {
  // Statut de lecture et, dans les groupes, combien ont lu l’un de nos messages.
  'message.status.read': 'Lu',
  'message.read-by': 'Lu par {count} sur {total}',

  // Les actions d’un message, depuis son menu.
  'message.actions': 'Actions du message',
  'message.actions-named': 'Actions du message de {name}',
  'message.actions-own': 'Actions de votre message',
  'message.action.reply': 'Répondre',
  'message.action.react': 'Réagir',
  'message.action.edit': 'Modifier',
  'message.action.delete': 'Supprimer pour tous',

  // Supprimé pour tous, modifié, mentions.
  'message.deleted': 'Ce message a été supprimé',
  'message.edited': 'modifié',
  'message.edited-title': 'Modifié {when} : afficher les versions précédentes',
  'message.mentions-you': 'Vous mentionne.',

  // La citation au-dessus d’une réponse.
  'quote.in-reply-to': 'En réponse à',
  'quote.you': 'Vous',
  'quote.deleted': 'Message d’origine supprimé',
  'quote.missing': 'Message d’origine indisponible',
  'quote.show': 'Afficher le message d’origine',
  'quote.file': 'Fichier : {name}',

  // Réactions : les pastilles sous un message et le sélecteur.
  'reactions.label': 'Réactions',
  'reactions.chip': '{emoji} de {names}',
  'reactions.chip-mine': '{emoji} de {names}. Appuyez pour retirer la vôtre',
  'reactions.picker': 'Réagir à ce message',
  'reactions.quick': 'Réactions fréquentes',
  'reactions.other': 'Autre émoji',
  'reactions.other-hint': 'Tapez ou collez un émoji, puis appuyez sur Entrée.',
  'reactions.add': 'Ajouter',
  'reactions.invalid': 'Tapez un seul émoji.',
  'reactions.remove': 'Retirer ma réaction',

  // Versions précédentes d’un message modifié.
  'edits.title': 'Versions précédentes',
  'edits.current': 'Version actuelle, {when}',
  'edits.version': 'Version du {when}',
  'edits.none': 'Cet appareil ne garde aucune version précédente de ce message.',
  'edits.only-here': 'Les versions précédentes ne sont gardées que sur cet appareil.',

  // Supprimer pour tous.
  'delete.title': 'Supprimer ce message pour tous ?',
  'delete.body':
    'Il sera supprimé sur tous les appareils de chaque participant de cette discussion, les vôtres compris. Cette action est irréversible.',
  'delete.offline':
    'Les appareils hors ligne en ce moment le supprimeront à leur retour en ligne. Quelqu’un peut déjà l’avoir lu ou copié.',
  'delete.confirm': 'Supprimer pour tous',

  // La zone de saisie qui répond à un message ou le modifie.
  'composer.replying-to': 'Réponse à {name}',
  'composer.replying-to-self': 'Réponse à votre message',
  'composer.cancel-reply': 'Annuler la réponse',
  'composer.editing': 'Modification du message',
  'composer.cancel-edit': 'Annuler la modification',
  'composer.save-edit': 'Enregistrer',
  'composer.escape-to-cancel': 'Échap pour annuler.',
  'composer.edit-last-hint': 'Flèche haut dans un champ vide : modifier votre dernier message.',

  // Mentions en tapant @ dans un groupe.
  'mentions.label': 'Membres à mentionner',
  'mentions.choices':
    '{count, plural, one {# membre à mentionner : Haut et Bas pour choisir, Entrée pour valider, Échap pour fermer} other {# membres à mentionner : Haut et Bas pour choisir, Entrée pour valider, Échap pour fermer}}',

  // Qui est en train d’écrire.
  'typing.one': '{name} est en train d’écrire…',
  'typing.two': '{first} et {second} sont en train d’écrire…',
  'typing.several': 'Plusieurs personnes sont en train d’écrire…',

  // Messages non lus à l’ouverture d’une discussion.
  'unread.divider': '{count, plural, one {# nouveau message} other {# nouveaux messages}}',
  'unread.jump': 'Aller au premier message non lu',

  // La liste des messages au clavier (message-keys.ts).
  'conversation.keys-hint':
    'Les flèches haut et bas passent d’un message à l’autre ; Entrée ouvre les actions du message sélectionné ; Échap revient à la liste.',
});
