import type { Timeframe } from "../model/timeframe.js";
import { InvariantError } from "../core/errors.js";
import { IB_BAR_SIZES, type IbBarSize } from "./history-chunk-steps.js";

const FETCH_SIZE: Readonly<Record<Timeframe["label"], IbBarSize>> = {
  "5s": "5 secs",
  "1m": "1 min",
  "5m": "5 mins",
  "15m": "15 mins",
  "30m": "30 mins",
  "1h": "30 mins",
  "2h": "30 mins",
  "4h": "30 mins",
  "1d": "1 day",
  "1w": "1 day",
};

/**
 * The IB bar size history is fetched in for a timeframe. IB cuts hour bars at clock hours (09:30–10:00,
 * 10:00–11:00, …) while our bars are anchored at the 09:30 open (09:30–10:30, …), so 1h/2h/4h are built
 * from 30-minute bars, which both agree on; weeks are built from days. Everything else is fetched as is.
 */
export function historyBarSizeFor(timeframe: Timeframe): IbBarSize {
  return FETCH_SIZE[timeframe.label];
}

/** Our IbBarSize for a bar size in IB's spelling as the live feed asks for it ("5 secs", "1 min", "30 mins"). */
export function historyBarSizeOf(barSizeSetting: string): IbBarSize {
  const found = IB_BAR_SIZES.find((size) => size === barSizeSetting);
  if (found === undefined) throw new InvariantError(`"${barSizeSetting}" is not an IB bar size`);
  return found;
}
