import { MAX_DIRECT_SDP_CHARS } from '@opendescent/protocol';
import { z } from 'zod';
import { DIRECT_CLOSE_REASONS, type DirectCloseReason } from './direct-ports';

/**
 * The signalling payloads of a direct channel (docs/protocol/direct.md §3): pairwise only, inside
 * the ratchet, so the SDP and the DTLS fingerprint in it reach the peer unaltered or not at all.
 * The SDP itself is checked against §4 by DirectChannels (checkDirectSdp), not here.
 */
const channel = z.string().regex(/^[0-9a-f]{32}$/);
const sdp = z.string().min(1).max(MAX_DIRECT_SDP_CHARS);
const at = z.number().int().nonnegative();

export const directSignalSchemas = [
  z.strictObject({ t: z.literal('rtc_offer'), channel, sdp, at }),
  z.strictObject({ t: z.literal('rtc_answer'), channel, sdp, at }),
  z.strictObject({
    t: z.literal('rtc_close'),
    channel,
    reason: z.enum(DIRECT_CLOSE_REASONS as [DirectCloseReason, ...DirectCloseReason[]]),
    at,
  }),
] as const;

export type DirectSignal = z.infer<(typeof directSignalSchemas)[number]>;
