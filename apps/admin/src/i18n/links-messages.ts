// Administrator links (invitations, resets) and the last-administrator rule: the Administrators page.
// One area of the admin app's catalogue (messages.ts merges every area). Both languages have
// exactly the same keys and arguments: `translation` proves it at compile time.
import { translation } from '@opendescent/i18n';

export const en = {
  pendingLinksHeading: 'Pending one-time links',
  pendingLinksDetail:
    'Links made and not yet used. Each works once, until it expires. Cancel one you no longer need, or that reached the wrong person. Removing an administrator cancels the links they made.',
  noPendingLinks: 'No pending link.',
  linkPurpose: 'Link',
  linkPurpose_setup: 'setup of the first administrator',
  linkPurpose_invite: 'invitation of a new administrator',
  linkPurpose_reset: 'passkey reset',
  linkFor: 'For',
  linkForNew: 'someone new',
  linkMadeBy: 'Made by',
  linkMadeByServer: 'the server, at start',
  linkMadeByCommand: 'the server command (admin:reset-link)',
  cancelLink: 'Cancel the link…',
  cancelLinkConfirm: 'Cancel this {purpose} link for {name}? Whoever holds it can no longer use it.',
  cancelLinkButton: 'Cancel the link',
  keepLink: 'Keep it',
  removeConfirmLinks: 'Remove {name}? They can no longer sign in, and the links they made stop working.',
} as const;

export const fr = translation(en, {
  pendingLinksHeading: 'Liens à usage unique en attente',
  pendingLinksDetail:
    'Liens créés et pas encore utilisés. Chacun sert une fois, jusqu’à son expiration. Annulez celui dont vous n’avez plus besoin, ou qui a atteint la mauvaise personne. Retirer un administrateur annule les liens qu’il a créés.',
  noPendingLinks: 'Aucun lien en attente.',
  linkPurpose: 'Lien',
  linkPurpose_setup: 'installation du premier administrateur',
  linkPurpose_invite: 'invitation d’un nouvel administrateur',
  linkPurpose_reset: 'réinitialisation de clé d’accès',
  linkFor: 'Pour',
  linkForNew: 'une nouvelle personne',
  linkMadeBy: 'Créé par',
  linkMadeByServer: 'le serveur, au démarrage',
  linkMadeByCommand: 'la commande du serveur (admin:reset-link)',
  cancelLink: 'Annuler le lien…',
  cancelLinkConfirm: 'Annuler ce lien ({purpose}) pour {name} ? Qui le détient ne pourra plus s’en servir.',
  cancelLinkButton: 'Annuler le lien',
  keepLink: 'Le garder',
  removeConfirmLinks:
    'Retirer {name} ? Cette personne ne pourra plus se connecter, et les liens qu’elle a créés ne fonctionneront plus.',
});
