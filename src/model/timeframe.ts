import { UsageError } from "../core/errors.js";

/** A bar interval. Intraday timeframes are anchored to the session open; `1d` to the day, `1w` to Monday. */
export interface Timeframe {
  readonly label: TimeframeLabel;
  readonly seconds: number;
  readonly unit: "second" | "minute" | "hour" | "day" | "week";
}

export const TIMEFRAME_LABELS = ["5s", "1m", "5m", "15m", "30m", "1h", "2h", "4h", "1d", "1w"] as const;
export type TimeframeLabel = (typeof TIMEFRAME_LABELS)[number];

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
const UNIT_NAMES = { s: "second", m: "minute", h: "hour", d: "day", w: "week" } as const;

const TIMEFRAMES: ReadonlyMap<string, Timeframe> = new Map(
  TIMEFRAME_LABELS.map((label) => {
    const unitKey = label.slice(-1) as keyof typeof UNIT_SECONDS;
    const count = Number(label.slice(0, -1));
    const timeframe: Timeframe = Object.freeze({
      label,
      seconds: count * UNIT_SECONDS[unitKey],
      unit: UNIT_NAMES[unitKey],
    });
    return [label, timeframe] as const;
  }),
);

/** Parses `1m`, `1h`, `1d`, … (also `60m`-style aliases such as `60m` → `1h`); throws a UsageError otherwise. */
export function parseTimeframe(text: string): Timeframe {
  const normalized = text.trim().toLowerCase();
  const direct = TIMEFRAMES.get(normalized);
  if (direct) return direct;
  const match = /^(\d+)\s*(s|sec|secs|m|min|mins|h|hour|hours|d|day|days|w|week|weeks)$/.exec(normalized);
  if (match?.[1] !== undefined && match[2] !== undefined) {
    const unitKey = match[2][0] as keyof typeof UNIT_SECONDS;
    const seconds = Number(match[1]) * UNIT_SECONDS[unitKey];
    for (const timeframe of TIMEFRAMES.values()) if (timeframe.seconds === seconds) return timeframe;
  }
  throw new UsageError(`bad timeframe "${text}": use one of ${TIMEFRAME_LABELS.join(" ")}`);
}

/** Looks up a timeframe by its exact duration in seconds, if it is one we support. */
export function timeframeOfSeconds(seconds: number): Timeframe | undefined {
  for (const timeframe of TIMEFRAMES.values()) if (timeframe.seconds === seconds) return timeframe;
  return undefined;
}
