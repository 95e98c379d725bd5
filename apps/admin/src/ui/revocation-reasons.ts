// The reasons an admin picks from (docs/protocol/attestations.md §3.2), most common first.
// A plain module (not 'use client'), so server pages and client components share the values.
export const REASONS = ['lost_or_stolen', 'compromised', 'left_organisation', 'replaced', 'unspecified'] as const;
export type ReasonName = (typeof REASONS)[number];
