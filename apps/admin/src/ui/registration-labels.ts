import type { AdminTranslator } from '../i18n/messages';
import type { RegistrationLabels } from './passkey-registration';

export function registrationLabels(t: AdminTranslator, create: string): RegistrationLabels {
  return {
    displayName: t('displayNameLabel'),
    displayNameHint: t('displayNameHint'),
    create,
    working: t('working'),
    errorPrefix: t('errorPrefix'),
    noToken: t('setupNoToken'),
    unsupported: t('passkeyUnsupported'),
  };
}
