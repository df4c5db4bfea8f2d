/**
 * Prices are kept in half cents and volumes and turnovers (Σ price × shares in cents) as integers, so a fold
 * is exact and independent of how the pieces were grouped: a 1-minute bar equals the fold of its twelve
 * 5-second bars bit for bit, and a week the fold of its days.
 */
import type { DaySummary, IntradayPath } from "./intraday-path.js";
import type { MarketBar, WhatToShow } from "./market-bar.js";
import { shiftedHalfCents } from "./quote-spread.js";

/** Folds 5-second bars and whole-session summaries into one bar, exactly. */
export class BarAccumulator {
  private timeMs = 0;
  private empty = true;
  private openHalfCents = 0;
  private highHalfCents = 0;
  private lowHalfCents = 0;
  private closeHalfCents = 0;
  private volume = 0;
  private turnover = 0;
  private count = 0;

  /** Starts a new bar stamped `timeMs`. */
  reset(timeMs: number): void {
    this.timeMs = timeMs;
    this.empty = true;
    this.volume = 0;
    this.turnover = 0;
    this.count = 0;
  }

  /** True until something was added since the last reset. */
  get isEmpty(): boolean {
    return this.empty;
  }

  /** Adds bars `fromIndex` (inclusive) … `toIndex` (exclusive) of a path, moved to a series by `shift` half cents. */
  addBars(path: IntradayPath, fromIndex: number, toIndex: number, shift: number): void {
    if (toIndex <= fromIndex) return;
    const { points, highs, lows, volumes, turnovers, counts } = path;
    let high = 0;
    let low = Number.POSITIVE_INFINITY;
    let volume = 0;
    let turnover = 0;
    let count = 0;
    for (let i = fromIndex; i < toIndex; i++) {
      const barHigh = highs[i] ?? 0;
      const barLow = lows[i] ?? 0;
      if (barHigh > high) high = barHigh;
      if (barLow < low) low = barLow;
      volume += volumes[i] ?? 0;
      turnover += turnovers[i] ?? 0;
      count += counts[i] ?? 0;
    }
    this.add(points[fromIndex] ?? 0, high, low, points[toIndex] ?? 0, volume, turnover, count, shift);
  }

  /** Adds a whole session, moved to a series by `shift` half cents. */
  addSummary(summary: DaySummary, shift: number): void {
    const { openCents, highCents, lowCents, closeCents, volume, turnover, count } = summary;
    this.add(openCents, highCents, lowCents, closeCents, volume, turnover, count, shift);
  }

  /** Adds one piece already in half cents (used for refined one-second bars). */
  addHalfCents(
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    turnover: number,
    count: number,
  ): void {
    if (this.empty) {
      this.openHalfCents = open;
      this.highHalfCents = high;
      this.lowHalfCents = low;
      this.empty = false;
    } else {
      if (high > this.highHalfCents) this.highHalfCents = high;
      if (low < this.lowHalfCents) this.lowHalfCents = low;
    }
    this.closeHalfCents = close;
    this.volume += volume;
    this.turnover += turnover;
    this.count += count;
  }

  private add(
    openCents: number,
    highCents: number,
    lowCents: number,
    closeCents: number,
    volume: number,
    turnover: number,
    count: number,
    shift: number,
  ): void {
    this.addHalfCents(
      shiftedHalfCents(openCents, shift),
      shiftedHalfCents(highCents, shift),
      shiftedHalfCents(lowCents, shift),
      shiftedHalfCents(closeCents, shift),
      volume,
      turnover,
      count,
    );
  }

  /** The bar folded so far; volume, WAP and count are −1 unless the series is TRADES. */
  toBar(whatToShow: WhatToShow): MarketBar {
    const trades = whatToShow === "TRADES";
    return {
      timeMs: this.timeMs,
      open: this.openHalfCents / 200,
      high: this.highHalfCents / 200,
      low: this.lowHalfCents / 200,
      close: this.closeHalfCents / 200,
      volume: trades ? this.volume : -1,
      // A one-second piece can have no volume; it then reports its close as WAP.
      wap: !trades ? -1 : this.volume > 0 ? this.turnover / (100 * this.volume) : this.closeHalfCents / 200,
      count: trades ? this.count : -1,
    };
  }
}
