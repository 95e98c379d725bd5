import { translation } from '@opendescent/i18n';
import { en } from './en';
import { frMessages } from './fr-messages';
import { frSettings } from './fr-settings';
import { frTrust } from './fr-trust';

/** French. `translation` fails type-checking for a key missing here or one English does not have, and for a message whose arguments differ from English. */
export const fr = translation(en, {
  'app.name': 'OpenDescent',
  'app.tagline': 'La messagerie chiffrée de bout en bout de votre organisation.',
  'app.loading': 'Démarrage d’OpenDescent…',

  'language.label': 'Langue',
  'language.en': 'English',
  'language.fr': 'Français',

  'common.cancel': 'Annuler',
  'common.close': 'Fermer',
  'common.back': 'Retour',
  'common.you': 'vous',
  'common.working': 'Un instant…',
  'common.show-passphrase': 'Afficher la phrase secrète',

  'tab.title': 'OpenDescent est ouvert dans un autre onglet',
  'tab.body':
    'Un seul onglet à la fois peut utiliser OpenDescent. Passez à l’autre onglet ou fermez-le : celui-ci prendra le relais dès sa fermeture.',

  'unsupported.title': 'Ce navigateur ne peut pas faire fonctionner OpenDescent',
  'unsupported.body':
    'OpenDescent garde vos clés et vos messages sur cet appareil, ce qui demande les éléments suivants. Utilisez un navigateur à jour, en HTTPS.',
  'unsupported.secure-context': 'Une connexion sécurisée (HTTPS)',
  'unsupported.worker': 'Les tâches d’arrière-plan (Web Workers)',
  'unsupported.locks': 'La coordination des onglets (Web Locks)',
  'unsupported.indexeddb': 'Le stockage local (IndexedDB)',
  'unsupported.ed25519': 'Web Crypto : signatures Ed25519',
  'unsupported.x25519': 'Web Crypto : échange de clés X25519',

  'failed.title': 'OpenDescent s’est arrêté',
  'failed.body':
    'La partie d’OpenDescent qui détient vos clés s’est arrêtée de façon inattendue. Rechargez la page pour la relancer ; vos messages restent sur cet appareil.',
  'failed.reload': 'Recharger',

  'create.title': 'Bienvenue dans OpenDescent',
  'create.body':
    'Choisissez d’abord une phrase secrète. Elle protège les clés et les messages enregistrés sur cet appareil, et vous la saisirez à chaque ouverture d’OpenDescent. Personne ne pourra la retrouver pour vous.',
  'create.passphrase': 'Phrase secrète',
  'create.passphrase-hint': 'Au moins {min} caractères. Quelques mots sans rapport entre eux font l’affaire.',
  'create.confirm': 'Saisissez-la à nouveau',
  'create.submit': 'Créer la phrase secrète',
  'create.too-short': 'Utilisez au moins {min} caractères.',
  'create.mismatch': 'Les deux phrases secrètes sont différentes.',

  'enrol.title': 'Connecter cet appareil',
  'enrol.body':
    'Saisissez le code à usage unique fourni par votre administrateur, collez le lien d’inscription ou scannez son code QR.',
  'enrol.code': 'Code d’inscription',
  'enrol.code-hint': 'De la forme ABCD-EFGH-JKMN-PQRS-TVWX-YZ12.',
  'enrol.submit': 'Connecter',
  'enrol.malformed': 'Ce code d’inscription n’est pas valide. Il compte 24 lettres et chiffres, par groupes de quatre.',
  'enrol.link-malformed': 'Ce lien d’inscription n’est pas valide. Demandez-en un nouveau à votre administrateur.',
  'enrol.other-server':
    'Ce lien d’inscription concerne un autre serveur ({server}). Demandez à votre administrateur un code pour celui-ci.',
  'enrol.scan': 'Scanner le code QR',
  'enrol.scan-cancel': 'Arrêter le scan',
  'enrol.scan-help': 'Présentez à la caméra le code QR que votre administrateur vous montre.',
  'enrol.picture': 'Utiliser une photo du code QR',
  'enrol.qr-read': 'Code lu dans le code QR. Vérifiez-le, puis connectez-vous.',
  'enrol.qr-none': 'Aucun code QR n’a été trouvé dans cette image.',
  'enrol.camera-failed': 'La caméra n’a pas pu être utilisée. Saisissez le code, ou utilisez une photo du code QR.',

  'unlock.title': 'OpenDescent est verrouillé',
  'unlock.passphrase': 'Phrase secrète',
  'unlock.submit': 'Déverrouiller',
  'unlock.forgot': 'Phrase secrète oubliée ?',
  'unlock.forgot-body':
    'Sans elle, les messages de cet appareil sont illisibles. Vous pouvez effacer cet appareil puis le connecter à nouveau avec un nouveau code de votre administrateur ; les anciens messages restent perdus.',
  'unlock.erase': 'Effacer cet appareil',
  'unlock.erase-confirm': 'Oui, tout effacer sur cet appareil',
  'unlock.passkey': 'Déverrouiller avec une clé d’accès',
  'unlock.or-passphrase': 'Ou saisissez votre phrase secrète :',

  'wiped.title': 'Cet appareil a été déconnecté',
  'wiped.body': 'Votre administrateur a révoqué cet appareil, et ses clés ont été effacées.',
  'wiped.when': 'Révoqué {when}.',
  'wiped.start-over': 'Recommencer',

  'relay.online': 'Connecté',
  'relay.connecting': 'Connexion…',
  'relay.offline': 'Hors ligne',
  'relay.label': 'Connexion : {status}',
  'relay.pending': '{count, plural, one {# message en attente d’envoi} other {# messages en attente d’envoi}}',

  'main.lock': 'Verrouiller',
  'main.new-chat': 'Nouvelle discussion',
  'main.new-group': 'Nouveau groupe',
  'main.conversations': 'Discussions',
  'main.no-conversations': 'Aucune discussion pour l’instant. Commencez-en une avec « Nouvelle discussion ».',
  'main.pick-conversation': 'Choisissez une discussion, ou commencez-en une nouvelle.',
  'main.this-device': 'Connecté en tant que',
  'main.not-reachable': 'Vos collègues ne pourront pas vous écrire tant que cet appareil n’aura pas joint le relais.',
  'revocation.stale':
    'Les informations de révocation ne sont plus à jour (depuis le {since}) : cet appareil ne peut pas confirmer que les appareils de vos collègues sont toujours dignes de confiance. Vérifiez votre connexion au serveur de votre organisation. Sans mise à jour d’ici le {heldFrom}, l’envoi sera suspendu.',
  'revocation.sending-held':
    'L’envoi est suspendu (depuis le {since}) : les informations de révocation ne sont plus à jour depuis trop longtemps, et cet appareil ne peut se porter garant d’aucun appareil de vos collègues. Vos messages attendent sur cet appareil et partiront dès leur mise à jour ; vous pouvez toujours recevoir et lire des messages. Vérifiez votre connexion au serveur de votre organisation.',
  'revocation.no-list':
    'L’envoi est suspendu (depuis le {since}) : cet appareil n’a pas encore reçu la liste des appareils révoqués, et ne peut donc se porter garant d’aucun appareil de vos collègues. Vos messages attendent sur cet appareil et partiront dès qu’elle arrivera. Vérifiez votre connexion au serveur de votre organisation.',
  'revocation.unverified':
    'Une liste de révocation n’a pas pu être vérifiée et a été ignorée ; cet appareil continue d’utiliser la dernière liste vérifiée. Si cela se reproduit, prévenez votre administrateur.',
  'main.passkey': 'Clé d’accès',

  'passkey.title': 'Déverrouiller avec une clé d’accès',
  'passkey.body':
    'Une clé d’accès (votre empreinte, votre visage, ou le code PIN ou la clé de sécurité de cet appareil) peut déverrouiller OpenDescent sur cet appareil à la place de la phrase secrète. La phrase secrète reste valable, et il vous la faut si la clé d’accès est perdue.',
  'passkey.enable': 'Déverrouiller avec une clé d’accès plutôt qu’en saisissant la phrase secrète',
  'passkey.enabled': 'Une clé d’accès déverrouille OpenDescent sur cet appareil. La phrase secrète reste valable.',
  'passkey.enabled-now': 'C’est fait : la prochaine fois, déverrouillez avec votre clé d’accès.',
  'passkey.disable': 'Ne plus utiliser la clé d’accès',
  'passkey.disabled-now':
    'La clé d’accès ne déverrouille plus OpenDescent sur cet appareil. Utilisez votre phrase secrète.',
  'passkey.unavailable':
    'Ce navigateur ne peut pas utiliser de clé d’accès pour déverrouiller OpenDescent. Continuez avec votre phrase secrète.',
  'passkey.error.unsupported': 'Ce navigateur ne peut pas utiliser de clé d’accès pour déverrouiller OpenDescent.',
  'passkey.error.no_prf':
    'Cette clé d’accès ne peut pas déverrouiller OpenDescent. Essayez-en une autre, ou continuez avec votre phrase secrète.',
  'passkey.error.cancelled': 'La clé d’accès n’a pas été utilisée. Réessayez quand vous êtes prêt.',
  'passkey.error.not_accepted':
    'Cette clé d’accès n’a pas pu déverrouiller OpenDescent. Utilisez votre phrase secrète.',
  'passkey.error.failed': 'La clé d’accès n’a pas fonctionné. Veuillez réessayer.',

  'list.unread': '{count, plural, one {# message non lu} other {# messages non lus}}',
  'list.no-messages': 'Aucun message',

  // Recherche dans les messages (ticket 15) : le champ de la barre latérale et ses résultats.
  'search.label': 'Rechercher dans les messages',
  'search.results': 'Messages trouvés',
  'search.count': '{count, plural, =0 {Aucun message trouvé} one {# message trouvé} other {# messages trouvés}}',
  'search.none': 'Aucun message trouvé',
  'search.searching': 'Recherche…',
  'search.preparing': 'La recherche se prépare…',
  'search.you': 'Vous',
  'search.unknown-conversation': 'Une conversation qui n’est plus dans la liste',

  'conversation.members': '{count, plural, one {# membre} other {# membres}}',
  'conversation.details': 'Détails du groupe',
  'conversation.safety-numbers': 'Numéros de sécurité',
  'conversation.inactive': 'Vous ne faites plus partie de cette discussion.',
  'conversation.key-changed':
    'Les clés d’un appareil de {name} ont changé. Vérifiez le numéro de sécurité avant d’envoyer quoi que ce soit de sensible.',
  'conversation.check': 'Vérifier',
  'conversation.messages': 'Messages',
  'conversation.empty':
    'Aucun message pour l’instant. Les messages sont chiffrés de bout en bout : seules les personnes de cette discussion peuvent les lire.',
  'conversation.loading': 'Chargement des messages…',

  'message.status.queued': 'En attente d’envoi',
  'message.status.sent': 'Envoyé',
  'message.status.delivered': 'Distribué',
  'message.status.failed': 'Non envoyé',
  'message.disappears': 'Disparaît {when}',
  'message.from': '{name} a écrit :',

  'system.group_created': 'Groupe créé par {by}',
  'system.member_added': 'Ajout de {member} par {by}',
  'system.member_removed': 'Retrait de {member} par {by}',
  'system.member_left': 'Départ de {member}',
  'system.key_changed': 'Le numéro de sécurité de {member} a changé',
  'system.device_added': 'Nouvel appareil pour {member}',
  'system.device_revoked': 'Un appareil de {member} a été révoqué par l’administrateur',
  'system.device_not_logged':
    'Un appareil de {member} est absent du journal public de votre organisation : rien ne lui est envoyé. Prévenez votre administrateur',
  'system.device_not_logged-you':
    'Un de vos appareils est absent du journal public de votre organisation : rien ne lui est envoyé. Prévenez votre administrateur',
  'system.device_log_pending':
    'Un appareil de {member} n’est pas encore confirmé par le journal public de votre organisation (le journal ne peut pas être vérifié pour l’instant) : les messages qui lui sont destinés attendent jusque-là',
  'system.disappearing_set': 'Messages éphémères réglés sur {duration} par {by}',
  'system.disappearing_off': 'Messages éphémères désactivés par {by}',
  'system.history_shared':
    '{count, plural, one {{by} a partagé # message antérieur avec {member}} other {{by} a partagé # messages antérieurs avec {member}}}',
  'system.role_changed': '{member} est désormais {role, select, admin {administrateur} other {membre}}, par {by}',
  'system.role_changed-you': 'Vous êtes désormais {role, select, admin {administrateur} other {membre}}, par {by}',
  'system.title_changed': '{by} a renommé le groupe « {title} »',
  'system.group_settings_changed':
    '{by} a choisi : {announcementOnly, select, true {seuls les administrateurs publient} other {tout le monde publie}}, {addBy, select, everyone {chaque membre ajoute des membres} other {les administrateurs ajoutent les membres}}',
  'system.group_change_undone':
    'Une modification faite au même moment l’a emporté ; le groupe est tel qu’indiqué ci-dessous',
  'system.group_change_pending':
    'Un appareil de {member} n’est pas encore joignable : la modification du groupe lui est renvoyée jusqu’à ce qu’il le soit',
  'system.member_added-you': 'Vous avez été ajouté par {by}',
  'system.member_removed-you': 'Vous avez été retiré par {by}',
  'system.member_left-you': 'Vous avez quitté la conversation',
  'system.device_added-you': 'Vous utilisez un nouvel appareil',
  'system.device_revoked-you': 'Un de vos appareils a été révoqué par l’administrateur',
  'system.history_shared-own':
    '{count, plural, one {{by} a partagé # message antérieur avec ses autres appareils} other {{by} a partagé # messages antérieurs avec ses autres appareils}}',
  'system.history_shared-by-you':
    '{count, plural, one {Vous avez partagé # message antérieur avec {member}} other {Vous avez partagé # messages antérieurs avec {member}}}',
  'system.history_shared-own-you':
    '{count, plural, one {Vous avez partagé # message antérieur avec vos autres appareils} other {Vous avez partagé # messages antérieurs avec vos autres appareils}}',

  'composer.label': 'Message',
  'composer.placeholder': 'Écrire un message',
  'composer.send': 'Envoyer',
  'composer.hint': 'Entrée pour envoyer, Maj+Entrée pour aller à la ligne',

  'disappearing.label': 'Messages éphémères',
  'disappearing.off': 'Désactivés',

  'new-chat.title': 'Nouvelle discussion',
  'new-chat.address': 'Adresse e-mail',
  'new-chat.hint': 'L’adresse professionnelle exacte de la personne, par exemple alex@example.org.',
  'new-chat.submit': 'Commencer',

  'new-group.title': 'Nouveau groupe',
  'new-group.name': 'Nom du groupe',
  'new-group.addresses': 'Adresses e-mail des membres',
  'new-group.addresses-hint': 'Une par ligne, ou séparées par des virgules.',
  'new-group.submit': 'Créer le groupe',
  'new-group.no-addresses': 'Ajoutez au moins une adresse.',

  'new-group.announcement': 'Seuls les administrateurs peuvent publier',
  'details.admin': 'Administrateur',
  'details.make-admin': 'Nommer {name} administrateur',
  'details.make-member': 'Retirer à {name} le rôle d’administrateur',
  'details.settings': 'Réglages',
  'details.announcement': 'Seuls les administrateurs peuvent publier',
  'details.add-by': 'Qui peut ajouter des membres',
  'details.add-by-admins': 'Les administrateurs',
  'details.add-by-everyone': 'Tous les membres',
  'details.settings-summary':
    '{announcementOnly, select, true {Seuls les administrateurs publient.} other {Tout le monde publie.}} {addBy, select, everyone {Chaque membre peut ajouter des membres.} other {Les administrateurs ajoutent les membres.}}',
  'conversation.announcement-only': 'Seuls les administrateurs publient dans ce groupe.',
  'details.title': 'Détails du groupe',
  'details.members': 'Membres',
  'details.you': '(vous)',
  'details.remove': 'Retirer {name}',
  'details.add': 'Ajouter un membre',
  'details.add-address': 'Adresse e-mail',
  'details.add-submit': 'Ajouter',
  'details.leave': 'Quitter le groupe',
  'details.share-history': 'Partager les {count} derniers messages avec {name}',
  'details.share-history-self': 'Partager les {count} derniers messages avec vos autres appareils',
  'details.share-history-done':
    '{count, plural, one {# message partagé avec {name}. Tout le groupe peut voir que vous l’avez fait.} other {# messages partagés avec {name}. Tout le groupe peut voir que vous l’avez fait.}}',
  'message.shared-by': 'Partagé par {name}',
  'details.devices': '{count, plural, one {# appareil} other {# appareils}}',

  // The web client's screens (issue 12): page titles, limits on typed text, revocation reasons.
  'title.format': '{screen} — {app}',
  'title.unread': '({count}) {title}',
  'title.loading': 'Démarrage',
  'title.unsupported': 'Navigateur non pris en charge',
  'title.other-tab': 'Ouvert dans un autre onglet',
  'title.failed': 'Arrêté',
  'title.wiped': 'Appareil déconnecté',
  'title.create-passphrase': 'Créer une phrase secrète',
  'title.unlock': 'Déverrouiller',
  'title.enrol': 'Connecter cet appareil',
  'title.main': 'Messages',
  'composer.count': '{count} / {max}',
  'composer.count-label': '{count} caractères sur {max}',
  'composer.too-long':
    'Ce message est trop long pour être envoyé : {max} caractères au plus. Raccourcissez-le ou envoyez-le en plusieurs fois ; votre texte reste ici.',
  'new-group.title-too-long': 'Un nom de groupe compte au plus {max} caractères ; celui-ci en a {count}.',
  'address.too-long':
    'Une adresse e-mail compte au plus {max} caractères ; celle-ci en a {count}. Vérifiez ce qui a été collé.',
  'message.from-you': 'Vous avez écrit :',
  'relay.finishing': 'Configuration en cours…',
  'wiped.reason.unspecified': 'Aucun motif n’a été indiqué.',
  'wiped.reason.lost_or_stolen': 'Motif : l’appareil a été déclaré perdu ou volé.',
  'wiped.reason.compromised': 'Motif : l’appareil a peut-être été compromis (quelqu’un d’autre a pu y avoir accès).',
  'wiped.reason.left_organisation': 'Motif : son propriétaire a quitté l’organisation.',
  'wiped.reason.replaced': 'Motif : l’appareil a été remplacé par un autre.',

  'error.wrong_passphrase': 'Cette phrase secrète n’est pas la bonne.',
  'error.weak_passphrase': 'Cette phrase secrète est trop facile à deviner. Choisissez-en une plus longue.',
  'error.locked': 'OpenDescent est verrouillé. Déverrouillez-le d’abord.',
  'error.not_enrolled': 'Cet appareil n’est pas encore connecté à votre organisation.',
  'error.already_enrolled': 'Cet appareil est déjà connecté.',
  'error.enrolment_refused':
    'Le code a été refusé. Il a peut-être expiré ou déjà servi ; demandez-en un nouveau à votre administrateur.',
  'error.admin_unreachable': 'Le serveur de votre organisation est injoignable. Vérifiez votre connexion et réessayez.',
  'error.relay_unreachable':
    'Le relais de messages est injoignable. Votre message partira dès le retour de la connexion.',
  'error.not_found': 'Personne n’a cette adresse dans votre organisation.',
  'error.no_devices':
    'Aucun appareil enrôlé n’a été trouvé pour cette adresse : personne ici ne l’utilise, ou son titulaire n’a pas encore fini de connecter un appareil.',
  'error.invalid_address': 'Cette adresse e-mail n’est pas valide.',
  'error.own_address': 'C’est votre propre adresse : choisissez quelqu’un d’autre à qui écrire.',
  'error.rate_limited': 'Trop de tentatives. Patientez un instant puis réessayez.',
  'error.directory_suspended':
    'Votre administrateur a suspendu votre accès à l’annuaire après un trop grand nombre de recherches. Demandez-lui de le rétablir.',
  'error.not_a_member': 'Vous ne faites pas partie de cette discussion.',
  'error.message_too_long': 'Ce message est trop long.',
  'error.revoked': 'Cet appareil a été révoqué par votre administrateur.',
  'error.not_allowed': 'Les règles du groupe ne vous le permettent pas : demandez à un administrateur.',
  'error.last_admin':
    'Un groupe a besoin d’au moins un administrateur : nommez d’abord quelqu’un d’autre administrateur.',
  'error.file_too_large': 'Ce fichier est trop volumineux pour être envoyé (100 Mo au plus).',
  'error.storage_full':
    'Il n’y a plus de place pour les fichiers sur cet appareil ou sur le serveur : supprimez d’anciens fichiers ou réessayez plus tard.',
  'error.attachment_expired': 'Ce fichier n’est plus sur le serveur : demandez à l’expéditeur de le renvoyer.',
  'error.attachment_invalid': 'Ce fichier n’a pas passé son contrôle d’intégrité et n’a pas été conservé.',
  'error.cancelled': 'Annulé.',
  'error.internal': 'Un problème est survenu. Veuillez réessayer.',

  // Le coffre au repos (ticket 12) : robustesse de la phrase secrète, délai après des erreurs.
  'create.strength.0': 'Robustesse : très faible',
  'create.strength.1': 'Robustesse : faible',
  'create.strength.2': 'Robustesse : moyenne, pas encore suffisante',
  'create.strength.3': 'Robustesse : bonne',
  'create.strength.4': 'Robustesse : très bonne',
  'create.too-weak':
    'Cette phrase secrète est trop facile à deviner. Ajoutez des mots, ou choisissez des mots sans rapport entre eux ; évitez les noms, les dates et les expressions connues.',
  'create.strength-unavailable':
    'La robustesse de cette phrase secrète n’a pas pu être vérifiée. Rechargez la page et réessayez.',
  'unlock.wait': 'Trop de phrases secrètes erronées. Vous pourrez réessayer dans {time}.',
  'unlock.wait-over': 'Vous pouvez de nouveau saisir votre phrase secrète.',
  'error.unlock_delayed': 'Trop de phrases secrètes erronées. Patientez un peu avant de réessayer.',

  // Fichiers et photos (ticket 15) : joindre dans la zone de saisie, la carte d’un fichier dans une conversation.
  'composer.attach': 'Joindre un fichier',
  'composer.attach-hint':
    'Un fichier à la fois, 100 Mo au plus. Vous pouvez aussi coller un fichier ou le déposer sur la conversation ; le texte saisi l’accompagne comme légende.',
  'composer.attach-one':
    '{count, plural, one {Envoyez un fichier à la fois.} other {Envoyez un fichier à la fois : ces # fichiers n’ont pas été envoyés.}}',
  'composer.sealing': 'Chiffrement de {name} sur cet appareil…',
  'composer.drop-here': 'Déposez le fichier pour l’envoyer dans cette conversation',
  'attachment.details': '{size} · {type}',
  'attachment.uploading': 'Envoi…',
  'attachment.downloading': 'Téléchargement…',
  'attachment.progress-upload': 'Envoi de {name}',
  'attachment.progress-download': 'Téléchargement de {name}',
  'attachment.download': 'Télécharger ({size})',
  'attachment.save': 'Enregistrer',
  'attachment.open-image': 'Ouvrir l’image {name}',
  'attachment.opening': 'Ouverture de l’image…',

  // Notifications (ticket 15) : jamais le texte d’un message ni le nom d’un groupe ; l’expéditeur seulement sur demande.
  'notifications.new-message': 'Nouveau message',
  'notifications.new-message-from': 'Nouveau message de {name}',
  'notifications.turn-on': 'Activer les notifications',
  'notifications.blocked': 'Les notifications sont bloquées pour ce site dans les paramètres de votre navigateur.',
  'notifications.on': 'Les notifications sont activées. Elles n’affichent jamais le contenu d’un message.',
  'notifications.show-sender': 'Afficher le nom de l’expéditeur dans les notifications',
  'notifications.show-sender-hint':
    'Désactivé par défaut : le système de cet appareil conserve les notifications en dehors du stockage chiffré d’OpenDescent.',

  // Device approval, account keys, safety numbers and trust alerts (fr-trust.ts, checked there
  // against en-trust.ts). Spread last: a key also written above then fails type-checking (TS2783).
  ...frTrust,
  ...frMessages,
  ...frSettings,
});
