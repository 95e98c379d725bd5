/**
 * What a reaction may be (messages.md §5.8): exactly one emoji, as a person sees it: one grapheme
 * cluster holding a pictograph (with its skin tone, gender or ZWJ sequence), a flag (two regional
 * indicators) or a keycap. Anything else (letters, two emoji, an invisible character alone) is
 * refused on sending and dropped on receipt, so a reaction never carries a message of its own.
 */
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|\u20e3/u;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export const MAX_REACTION_LENGTH = 32;

export function isReactionEmoji(value: string): boolean {
  if (value.length === 0 || value.length > MAX_REACTION_LENGTH) return false;
  const graphemes = [...segmenter.segment(value)];
  return (
    graphemes.length === 1 && EMOJI.test(value) && !/[\p{L}\p{N}\s]/u.test(value.replace(/[0-9#*]\ufe0f?\u20e3/u, ''))
  );
}
