import { barSpanOf, type BarSize } from "../market/bar-size.js";

/** IB's duration units: seconds, days, weeks, months, years (ibkr-facts.md §3.1). */
export type DurationUnit = "S" | "D" | "W" | "M" | "Y";

/** A parsed durationStr. */
export interface HistoricalDuration {
  readonly amount: number;
  readonly unit: DurationUnit;
}

const DURATION_PATTERN = /^([1-9]\d{0,8}) ([SDWMY])$/;

/** Reads a durationStr in IB's form `<positive integer>{SPACE}<S|D|W|M|Y>`, e.g. `60 S`, `1 D`, `2 Y`. */
export function parseDuration(text: string): HistoricalDuration | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  const unit = match?.[2];
  if (match === null || unit === undefined) return undefined;
  return { amount: Number(match[1]), unit: unit as DurationUnit };
}

/**
 * Largest amount per unit IB serves for a bar size — IB's "Max Duration Per Bar Size" table (ibkr-facts.md
 * §3.1, DOC 21-hist-md.md): 1-second bars at most 2000 S and no other unit; every other size 86400 S,
 * 365 D, 52 W, 12 M or 68 Y. Beyond it TWS answers 162 "Time length exceed max.".
 */
const MAX_DURATION: Readonly<Record<"oneSecond" | "other", Readonly<Record<DurationUnit, number>>>> = {
  oneSecond: { S: 2000, D: 0, W: 0, M: 0, Y: 0 },
  other: { S: 86_400, D: 365, W: 52, M: 12, Y: 68 },
};

/** True when IB refuses `duration` for `barSize` as too long. */
export function exceedsMaxDuration(duration: HistoricalDuration, barSize: BarSize): boolean {
  const span = barSpanOf(barSize);
  const limits = span.kind === "seconds" && span.seconds === 1 ? MAX_DURATION.oneSecond : MAX_DURATION.other;
  return duration.amount > limits[duration.unit];
}

/** A bar size's length in seconds for the pacing rules (a day 86,400, a week 604,800, a month 30 days). */
export function barSeconds(barSize: BarSize): number {
  const span = barSpanOf(barSize);
  switch (span.kind) {
    case "seconds":
      return span.seconds;
    case "day":
      return 86_400;
    case "week":
      return 7 * 86_400;
    case "month":
      return 30 * 86_400;
  }
}
