// Page titles (WCAG 2.4.2): each says where one is, in the page's language, before the app's name.
// Pages reuse their heading's words where they fit; these are the titles with no heading to reuse.
// One area of the admin app's catalogue (messages.ts merges every area). Both languages have
// exactly the same keys and arguments: `translation` proves it at compile time.
import { translation } from '@opendescent/i18n';

export const en = {
  titleTemplate: '{page} · OpenDescent administration',
  appDescription: 'Enrol, attest and revoke your organisation’s devices.',
  memberTitle: '{name} · Members',
  notFoundTitle: 'Page not found',
} as const;

export const fr = translation(en, {
  titleTemplate: '{page} · Administration OpenDescent',
  appDescription: 'Inscrire, attester et révoquer les appareils de votre organisation.',
  memberTitle: '{name} · Membres',
  notFoundTitle: 'Page introuvable',
});
