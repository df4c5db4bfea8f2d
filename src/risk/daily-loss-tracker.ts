import type { Decimal } from "decimal.js";
import { newYorkDayNumber } from "../data/new-york-time.js";

/** The equity a New York day started from: the first equity observed on that day. */
export interface DayStartEquity {
  readonly newYorkDayNumber: number;
  readonly equity: Decimal;
}

/**
 * Tracks the loss since the start of the New York day: the first equity observed on a new day becomes
 * that day's baseline, and the loss is the baseline minus the current equity (negative on a gain).
 */
export class DailyLossTracker {
  private start: DayStartEquity | undefined;

  /** Observes `equity` at `nowMs` and returns the day's loss so far. */
  observe(nowMs: number, equity: Decimal): Decimal {
    const day = newYorkDayNumber(nowMs);
    if (this.start?.newYorkDayNumber !== day) {
      this.start = Object.freeze({ newYorkDayNumber: day, equity });
    }
    return this.start.equity.minus(equity);
  }

  /** The baseline of the day last observed, for status; undefined before the first observation. */
  dayStart(): DayStartEquity | undefined {
    return this.start;
  }
}
