/**
 * Quotes around the trade price: the spread is fixed for a session at one basis point of its open (at least a
 * cent); the bid is the trade price less half the spread rounded down to a cent, the ask the bid plus the
 * spread, and the midpoint halfway between them, so it can end in half a cent as IB's midpoints do. A shift
 * that is constant over a session keeps BID, ASK and MIDPOINT bars exact folds of their 5-second bars.
 */
import type { WhatToShow } from "./market-bar.js";

/** The day's quoted spread in cents: one basis point of the opening price, at least one cent. */
export function spreadCentsForOpen(openCents: number): number {
  return Math.max(1, Math.round(openCents / 10_000));
}

/** How far a series (`whatToShow`) sits from the trade price, in half cents, for a spread in cents. */
export function halfCentShift(whatToShow: WhatToShow, spreadCents: number): number {
  const bidShift = -2 * Math.floor(spreadCents / 2);
  switch (whatToShow) {
    case "TRADES":
      return 0;
    case "BID":
      return bidShift;
    case "ASK":
      return bidShift + 2 * spreadCents;
    case "MIDPOINT":
      return bidShift + spreadCents;
  }
}

/** A trade price in cents moved to a series, in half cents, never below one cent. */
export function shiftedHalfCents(cents: number, shift: number): number {
  return Math.max(2, 2 * cents + shift);
}
