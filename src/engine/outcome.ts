/**
 * The result of one evaluation step, as in Keto: member, not a member, or unknown
 * because a limit cut the search short (the first limit hit is the reason reported).
 */
export const MEMBER = 1;
export const NOT_MEMBER = 2;
export const UNKNOWN_DEPTH = 3;
export const UNKNOWN_WIDTH = 4;
export type Outcome = typeof MEMBER | typeof NOT_MEMBER | typeof UNKNOWN_DEPTH | typeof UNKNOWN_WIDTH;

export const isUnknown = (o: Outcome): boolean => o >= UNKNOWN_DEPTH;

/** The limits that leave a check's answer unknown (strict mode reports them). */
export type Limitation = 'max_depth_exceeded' | 'max_width_exceeded';

export function limitReason(o: Outcome): Limitation | undefined {
  if (o === UNKNOWN_DEPTH) return 'max_depth_exceeded';
  if (o === UNKNOWN_WIDTH) return 'max_width_exceeded';
  return undefined;
}

/** `!`: member and non-member swap, unknown stays unknown. */
export function invert(o: Outcome): Outcome {
  if (o === MEMBER) return NOT_MEMBER;
  if (o === NOT_MEMBER) return MEMBER;
  return o;
}
