/** Java's Integer.MAX_VALUE: the wire marker for an int field that has no value (ibkr-facts.md §0 "I"). */
export const UNSET_INTEGER = 2_147_483_647;

/** Java's Double.MAX_VALUE: the wire marker for a double field that has no value (ibkr-facts.md §0 "D"). */
export const UNSET_DOUBLE = Number.MAX_VALUE;

/** Largest and smallest values of a Java int, the width of TWS "int" fields. */
export const INT32_MAX = 2_147_483_647;
export const INT32_MIN = -2_147_483_648;
