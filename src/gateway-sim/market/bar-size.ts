/** IB's bar size settings (`barSizeSetting` of reqHistoricalData), in IB's canonical spelling. */
export const BAR_SIZES = [
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
  "1 month",
] as const;

/** One of IB's bar sizes. */
export type BarSize = (typeof BAR_SIZES)[number];

/** How a bar size cuts time: a fixed number of seconds aligned to New York clock time, or sessions grouped by day, week or month. */
export type BarSpan =
  | { readonly kind: "seconds"; readonly seconds: number }
  | { readonly kind: "day" }
  | { readonly kind: "week" }
  | { readonly kind: "month" };

const UNIT_SECONDS: Readonly<Record<string, number>> = { sec: 1, min: 60, hour: 3600 };

/** The span of a bar size. */
export function barSpanOf(barSize: BarSize): BarSpan {
  const [amountText = "", unit = ""] = barSize.split(" ");
  if (unit === "day") return { kind: "day" };
  if (unit === "week") return { kind: "week" };
  if (unit === "month") return { kind: "month" };
  const unitSeconds = UNIT_SECONDS[unit.replace(/s$/, "")] ?? Number.NaN;
  return { kind: "seconds", seconds: Number(amountText) * unitSeconds };
}

const UNIT_NAMES: Readonly<Record<string, readonly [singular: string, plural: string]>> = {
  s: ["secs", "secs"],
  sec: ["secs", "secs"],
  min: ["min", "mins"],
  hour: ["hour", "hours"],
  d: ["day", "days"],
  day: ["day", "days"],
  w: ["week", "weeks"],
  week: ["week", "weeks"],
  // TWS's own error text lists "1M" for a month; minutes are always spelled out.
  m: ["month", "months"],
  month: ["month", "months"],
};

/**
 * Reads a `barSizeSetting` as clients send it: IB's spelling with any case and spacing, singular/plural
 * slips, and the short forms TWS itself lists (`1W`, `1M` = one month).
 */
export function parseBarSize(text: string): BarSize | undefined {
  const match = /^(\d+)\s*([a-z]+?)s?$/.exec(text.trim().toLowerCase());
  if (match === null) return undefined;
  const [, amount = "", unit = ""] = match;
  const names = UNIT_NAMES[unit];
  if (names === undefined) return undefined;
  const count = Number(amount);
  const candidate = `${count} ${count === 1 ? names[0] : names[1]}`;
  return BAR_SIZES.find((size) => size === candidate);
}
