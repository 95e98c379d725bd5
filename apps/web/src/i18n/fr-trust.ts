import { translation } from '@opendescent/i18n';
import { enTrust } from './en-trust';

/** French for en-trust.ts, checked against it key by key and argument by argument; fr.ts spreads it into `fr`. */
export const frTrust = translation(enTrust, {
  // Numéros de sécurité : un par personne, comparés à l’écran, par code QR ou sur une photo.
  'safety.title': 'Numéros de sécurité',
  'safety.body':
    'Comparez votre numéro de sécurité avec chaque personne, en face à face ou lors d’un appel de confiance, ou lisez le code QR affiché sur son écran. S’ils sont identiques, personne ne s’interpose entre vous. Il y a un numéro par personne : il reste le même quels que soient les appareils que chacun de vous utilise.',
  'safety.device': 'Appareil {id}',
  'safety.devices': 'Appareils de {name}',
  'safety.digits': 'Numéro de sécurité',
  'safety.qr': 'QR code du numéro de sécurité avec {name}',
  'safety.none-yet': 'Pas encore de numéro de sécurité : aucun appareil de {name} n’est approuvé.',
  'safety.verified': 'Vérifié',
  'safety.verified-before': 'Vérifié (ancienne clé)',
  'safety.not-verified': 'Non vérifié',
  'safety.mark-verified': 'Marquer comme vérifié',
  'safety.mark-verified-named': 'Marquer comme vérifié : {name}',
  'safety.none': 'Il n’y a encore personne à vérifier dans cette discussion.',
  'safety.loading': 'Chargement des numéros de sécurité…',
  'safety.previous-key':
    'La clé de compte de {name} a changé : ce numéro correspond à son ancienne clé. Si cette personne a recommencé sur de nouveaux appareils, son écran affiche désormais un autre numéro : acceptez la nouvelle clé, puis comparez avec elle le nouveau numéro. Si son écran affiche toujours ce numéro, n’acceptez pas la nouvelle clé et prévenez votre administrateur.',
  'safety.qr-picture': 'Comparer avec une photo de son code QR',
  'safety.qr-scan': 'Scanner son code QR',
  'safety.qr-scan-help':
    'Présentez à la caméra l’écran de {name}, ouvert sur les numéros de sécurité de cette discussion.',
  'safety.qr-scan-cancel': 'Arrêter le scan',
  'safety.qr-camera-failed':
    'La caméra n’a pas pu être utilisée. Utilisez une photo de son code QR, ou comparez les chiffres.',
  'safety.qr-none': 'Aucun code QR n’a été trouvé dans cette image.',
  'safety.qr-comparing': 'Comparaison…',
  'safety.qr-match': 'Le code QR correspond : vous avez vérifié {name}.',
  'safety.qr-mismatch':
    'Les numéros diffèrent : {name} n’est donc pas marqué comme vérifié. La photo montre peut-être un ancien écran, une autre discussion ou votre propre écran ; cela peut aussi signifier que quelqu’un intercepte vos messages. Demandez à {name} d’ouvrir les numéros de sécurité de cette discussion, puis comparez à nouveau.',

  // Degré de confiance d’un appareil, affiché à côté de lui (DeviceTrust dans messenger/api.ts).
  'trust.unverified': 'Non vérifié',
  'trust.verified': 'Vérifié',
  'trust.key_changed': 'Clés de l’appareil modifiées',
  'trust.revoked': 'Révoqué',

  // Alertes de l’écran principal : clés de l’organisation ou journal public non vérifiables,
  // appareils à soi non approuvés.
  'trust.org-keys':
    'Les clés de votre organisation n’ont pas pu être vérifiées ({at}) : un changement de clé a été proposé auquel cet appareil ne peut pas se fier ; il garde les clés qu’il avait. Prévenez votre administrateur.',
  'trust.log-fork':
    'Le serveur de votre organisation a montré à cet appareil deux historiques contradictoires de ses enregistrements d’appareils ({at}). Quelqu’un ajoute peut-être des appareils que seules certaines personnes voient. Prévenez votre administrateur et votre équipe de sécurité ; cet appareil garde l’historique vérifié en premier.',
  'trust.not-in-log':
    'L’enregistrement de cet appareil est absent du journal public de votre organisation ({at}) : le serveur cache peut-être ce qu’il signe. Prévenez votre administrateur et votre équipe de sécurité.',
  'trust.bad-tree-head':
    'Le journal public de votre organisation n’a pas pu être vérifié ({at}) ; cet appareil garde le dernier qu’il a vérifié. Si cela se reproduit, prévenez votre administrateur.',
  'trust.unapproved-own-device':
    '{count, plural, one {Un appareil a été ajouté à votre compte sans votre approbation. Rien ne lui est envoyé. Si vous connectez vous-même un nouvel appareil, approuvez-le avec « Associer un nouvel appareil ». Sinon, contactez votre administrateur pour le faire révoquer : quelqu’un cherche peut-être à lire vos messages.} other {# appareils ont été ajoutés à votre compte sans votre approbation. Rien ne leur est envoyé. Si vous connectez vous-même un nouvel appareil, approuvez-le avec « Associer un nouvel appareil ». Sinon, contactez votre administrateur pour les faire révoquer : quelqu’un cherche peut-être à lire vos messages.}}',
  'trust.unapproved-own-device-list': 'Numéros d’appareil',

  // Les appareils d’une personne s’approuvent entre eux (ticket 13, docs/protocol/user-keys.md §2.5 et §3).
  'main.link-device': 'Associer un nouvel appareil',
  'link-offer.title': 'Faites approuver cet appareil par un autre de vos appareils',
  'link-offer.body':
    'Votre compte est déjà utilisé sur un autre appareil. Tant qu’un de vos appareils n’a pas approuvé celui-ci, vos contacts ne lui envoient rien et il ne peut pas envoyer de messages. Vous pouvez tout de même parcourir vos discussions.',
  'link-offer.steps':
    'Sur un appareil que vous utilisez déjà, choisissez « Associer un nouvel appareil », puis scannez ce code QR ou saisissez le code ci-dessous.',
  'link-offer.qr': 'Code QR permettant d’approuver cet appareil',
  'link-offer.code': 'Code à saisir sur votre autre appareil',
  'link-offer.device': 'Numéro de cet appareil : {id}',
  'link-offer.valid-until':
    'Valable jusqu’à {time}. Ne le montrez qu’à votre propre appareil : ne l’envoyez jamais et ne le lisez à personne.',
  'link-offer.loading': 'Préparation d’un code…',
  'link-offer.expired': 'Ce code a expiré. Demandez-en un nouveau quand votre autre appareil sera à portée de main.',
  'link-offer.new-code': 'Nouveau code',
  'link-offer.retry': 'Réessayer',
  'link.title': 'Associer un nouvel appareil',
  'link.body':
    'Sur le nouvel appareil, un code QR et un code de 32 lettres et chiffres s’affichent sous « Faites approuver cet appareil par un autre de vos appareils ». Scannez le code QR, utilisez une photo de celui-ci ou saisissez le code.',
  'link.code': 'Code affiché sur le nouvel appareil',
  'link.code-hint': 'De la forme BOZM-RPRK-JKHC-P644-NDBL-DH42-AOKV-3SM2.',
  'link.scan': 'Scanner le code QR',
  'link.scan-cancel': 'Arrêter le scan',
  'link.scan-help': 'Présentez l’écran du nouvel appareil à la caméra.',
  'link.picture': 'Utiliser une photo du code QR',
  'link.qr-read': 'Code QR lu. Choisissez « Vérifier » pour voir quel appareil il désigne.',
  'link.qr-none': 'Aucun code QR n’a été trouvé dans cette image.',
  'link.qr-other':
    'Ce code QR ne sert pas à associer un appareil. Utilisez celui qu’affiche le nouvel appareil, sous « Faites approuver cet appareil par un autre de vos appareils ».',
  'link.camera-failed': 'La caméra n’a pas pu être utilisée. Saisissez le code, ou utilisez une photo du code QR.',
  'link.empty': 'Saisissez le code affiché sur le nouvel appareil, ou lisez son code QR.',
  'link.too-long': 'C’est trop long pour un code d’association. Vérifiez ce qui a été collé.',
  'link.enrolment-code':
    'Ceci est un code d’inscription fourni par votre administrateur. Ici, utilisez le code qu’affiche le nouvel appareil une fois connecté.',
  'link.check': 'Vérifier',
  'link.confirm-title': 'Approuver cet appareil ?',
  'link.confirm-body':
    'Ne l’approuvez que s’il s’agit de l’appareil que vous connectez en ce moment, et si son numéro correspond à celui affiché sur son écran. Une fois approuvé, il pourra lire tous les messages qui vous seront envoyés à partir de ce moment.',
  'link.name': 'Nom',
  'link.no-name': 'Aucun nom indiqué',
  'link.device': 'Numéro d’appareil',
  'link.enrolled': 'Connecté à votre organisation',
  'link.approve': 'Approuver',
  'link.approved':
    'Appareil approuvé. Le nouvel appareil reçoit la clé de votre compte dans un instant ; la demande d’approbation disparaît alors d’elle-même de son écran.',
  'system.device_unapproved': 'Un appareil de {member} n’est pas approuvé par cette personne : rien ne lui est envoyé',
  'system.device_unapproved-you':
    'Un appareil a été ajouté à votre compte sans votre approbation : rien ne lui est envoyé. Si vous ne l’avez pas ajouté, prévenez votre administrateur',
  'system.user_key_changed':
    'La clé de compte de {member} a changé. Cela arrive quand cette personne repart de zéro sur de nouveaux appareils, mais aussi quand quelqu’un tente d’intercepter vos messages. Rien n’est envoyé aux appareils liés à la nouvelle clé tant que vous ne l’avez pas acceptée',
  'system.user_key_changed-you':
    'Une autre clé de compte est apparue pour votre compte. Si vous n’êtes pas reparti de zéro sur de nouveaux appareils, prévenez votre administrateur',
  'system.user_key_accepted': 'Vous avez accepté la nouvelle clé de compte de {member}',
  'system.user_key_accepted-you': 'Vous avez accepté la nouvelle clé de votre compte',
  'error.not_approved':
    'Cet appareil n’est pas encore approuvé. Approuvez-le d’abord depuis un autre de vos appareils.',
  'error.already_approved': 'Cet appareil est déjà approuvé.',
  'error.link_invalid':
    'Ce code d’association n’est pas valide. Vérifiez chaque caractère : il compte 32 lettres (de A à Z) et chiffres (de 2 à 7), par groupes de quatre.',
  'error.link_no_match':
    'Ce code ne correspond à aucun de vos appareils en attente d’approbation. Vérifiez qu’il s’agit du code affiché en ce moment par le nouvel appareil (un code est valable 10 minutes). Si vous n’avez pas vous-même lancé l’association d’un nouvel appareil, n’approuvez rien : il s’agit peut-être d’une attaque. Prévenez votre administrateur.',

  // La clé de compte d’un contact a changé ; appareils non approuvés par leur personne (ticket 13, user-keys.md §2.5).
  'user-key.changed':
    'La clé de compte de {name} a changé. Cela arrive quand cette personne repart de zéro sur de nouveaux appareils, mais aussi quand quelqu’un tente d’intercepter vos messages. Vos messages ne sont pas envoyés à ses nouveaux appareils tant que vous n’avez pas accepté la nouvelle clé. Si vous le pouvez, comparez d’abord vos numéros de sécurité avec {name}, en personne ou lors d’un appel de confiance.',
  'user-key.compare': 'Comparer les numéros de sécurité',
  'user-key.compare-named': 'Comparer les numéros de sécurité avec {name}',
  'user-key.accept': 'Accepter la nouvelle clé',
  'user-key.accept-named': 'Accepter la nouvelle clé de {name}',
  'user-key.changed-verified':
    'Vous avez vérifié {name}. Sa clé de compte a changé : rien n’est envoyé dans cette discussion tant que vous n’avez pas accepté la nouvelle clé. Ne l’acceptez que si {name} vous confirme avoir recommencé sur de nouveaux appareils, puis comparez avec cette personne votre nouveau numéro de sécurité.',
  'error.safety_qr_invalid':
    'Ce code QR n’est pas un numéro de sécurité. Lisez celui qu’affiche l’appareil de l’autre personne, sous « Numéros de sécurité ».',
  'error.key_change_unaccepted':
    'Message non envoyé : la clé de compte d’une personne que vous avez vérifiée dans cette discussion a changé. Acceptez d’abord sa nouvelle clé (voir l’avertissement ci-dessus) ; votre texte reste ici.',
  'device.unapproved': 'Non approuvé par {name} : ne reçoit rien',
  'device.unapproved-you': 'Non approuvé par vous : ne reçoit rien',
  'message.warning': 'Attention :',
  'message.unapproved-device': 'Envoyé depuis un appareil que {name} n’a pas approuvé',
  'message.unapproved-device-you': 'Envoyé depuis un de vos appareils que vous n’avez pas approuvé',
});
