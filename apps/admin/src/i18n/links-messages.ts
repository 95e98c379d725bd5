// Administrator links (invitations, resets) and the last-administrator rule: the Administrators page.
// One area of the admin app's catalogue (messages.ts merges every area). Both languages have
// exactly the same keys: the type of `fr` says so.

export const en = {} as const;

export const fr: { [K in keyof typeof en]: string } = {};
