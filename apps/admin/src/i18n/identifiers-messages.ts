// Refusals of addresses and display names that a person could mistake for another.
// One area of the admin app's catalogue (messages.ts merges every area). Both languages have
// exactly the same keys and arguments: `translation` proves it at compile time.
import { translation } from '@opendescent/i18n';

export const en = {} as const;

export const fr = translation(en, {});
