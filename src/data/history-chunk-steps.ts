import type { Timeframe, TimeframeLabel } from "../model/timeframe.js";

/** IB's bar sizes (barSizeSetting) the planner can request, in IB's spelling; "1 month" is left out. */
export const IB_BAR_SIZES = [
  "1 secs",
  "5 secs",
  "10 secs",
  "15 secs",
  "30 secs",
  "1 min",
  "2 mins",
  "3 mins",
  "5 mins",
  "10 mins",
  "15 mins",
  "20 mins",
  "30 mins",
  "1 hour",
  "2 hours",
  "3 hours",
  "4 hours",
  "8 hours",
  "1 day",
  "1 week",
] as const;

/** One of IB's bar sizes. */
export type IbBarSize = (typeof IB_BAR_SIZES)[number];

const IB_BAR_SIZE_OF_TIMEFRAME: Readonly<Record<TimeframeLabel, IbBarSize>> = {
  "5s": "5 secs",
  "1m": "1 min",
  "5m": "5 mins",
  "15m": "15 mins",
  "30m": "30 mins",
  "1h": "1 hour",
  "2h": "2 hours",
  "4h": "4 hours",
  "1d": "1 day",
  "1w": "1 week",
};

/** IB's barSizeSetting for one of our timeframes. */
export function ibBarSizeOf(timeframe: Timeframe): IbBarSize {
  return IB_BAR_SIZE_OF_TIMEFRAME[timeframe.label];
}

/** A bar size's length in seconds for the pacing rules (a day 86,400, a week 604,800). */
export function ibBarSeconds(barSize: IbBarSize): number {
  const [amount = "", unit = ""] = barSize.split(" ");
  const unitSeconds: Readonly<Record<string, number>> = {
    secs: 1,
    min: 60,
    mins: 60,
    hour: 3_600,
    hours: 3_600,
    day: 86_400,
    week: 604_800,
  };
  return Number(amount) * (unitSeconds[unit] ?? Number.NaN);
}

/**
 * How far one request reaches for a bar size, after IB's conservative step table ("only a few thousand
 * bars per request", ibkr-facts.md §3.1):
 * - `seconds`: pieces of at most `maxSeconds` within one trading day, sent in S units;
 * - `days`: whole trading days, at most `maxDays` and not crossing a calendar week or month, sent as
 *   `N D`; a lone or partial day goes in S units;
 * - `sessions`: day or week bars, one calendar year of trading days per request, sent as `N D`.
 */
export type HistoryChunkStep =
  | { readonly kind: "seconds"; readonly maxSeconds: number }
  | { readonly kind: "days"; readonly maxDays: number; readonly period: "none" | "week" | "month" }
  | { readonly kind: "sessions"; readonly bar: "day" | "week" };

/** Most trading days in a calendar month (23) — a month group never needs more. */
const MONTH_DAYS = 23;

/** The step of a bar size. */
export function historyChunkStepOf(barSize: IbBarSize): HistoryChunkStep {
  switch (barSize) {
    case "1 secs":
      return { kind: "seconds", maxSeconds: 1_800 };
    case "5 secs":
      return { kind: "seconds", maxSeconds: 3_600 };
    case "10 secs":
    case "15 secs":
      return { kind: "seconds", maxSeconds: 14_400 };
    case "30 secs":
      return { kind: "seconds", maxSeconds: 28_800 };
    case "1 min":
      return { kind: "days", maxDays: 1, period: "none" };
    case "2 mins":
    case "3 mins":
      return { kind: "days", maxDays: 2, period: "none" };
    case "5 mins":
    case "10 mins":
    case "15 mins":
    case "20 mins":
      return { kind: "days", maxDays: 5, period: "week" };
    case "30 mins":
    case "1 hour":
    case "2 hours":
    case "3 hours":
    case "4 hours":
    case "8 hours":
      return { kind: "days", maxDays: MONTH_DAYS, period: "month" };
    case "1 day":
      return { kind: "sessions", bar: "day" };
    case "1 week":
      return { kind: "sessions", bar: "week" };
  }
}
