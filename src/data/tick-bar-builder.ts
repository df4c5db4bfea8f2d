import type { CancelTimer, Scheduler } from "../core/scheduler.js";
import { makeBar, type Bar } from "../model/bar.js";
import { nextSessionOpen, sessionOf } from "./trading-session.js";

const FIVE_SECONDS_MS = 5000;

/** What a TickBarBuilder needs: the symbol, time (ticks are stamped on receipt), and where bars go. */
export interface TickBarBuilderOptions {
  readonly symbol: string;
  readonly scheduler: Scheduler;
  readonly onBar: (bar: Bar) => void;
  /** How long after a bucket's end its bar is emitted when no tick has come first; default 250 ms. */
  readonly graceMs?: number;
  /** When silent buckets get flat bars: inside the regular session (default) or always. */
  readonly fillFlatBars?: "regular-session" | "always";
  /**
   * Silence (no price or volume tick at all) after which flat bars stop until the next tick, so a dead tick
   * stream shows up as silence to the watchdog instead of an endless run of flat bars; default 120 s.
   */
  readonly maxQuietMs?: number;
}

/** The bucket being filled by ticks. */
interface OpenBucket {
  readonly startMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

function bucketStart(timeMs: number): number {
  return Math.floor(timeMs / FIVE_SECONDS_MS) * FIVE_SECONDS_MS;
}

/**
 * Builds one symbol's 5-second bars from trade prices and cumulative day volume (IB ticks 4/8, or 68/74
 * delayed, which is all delayed data offers: reqRealTimeBars does not deliver it). Buckets are 5 s aligned
 * to the epoch and stamped with the receipt time of the ticks; a bar's volume is the rise of cumulative
 * volume within it; a bucket with no tick gets a flat bar at the last price with volume 0, like IB's
 * real-time bars. Each bucket is emitted once it is over: on the next tick, or by a timer at its end plus
 * the grace, whichever comes first.
 */
export class TickBarBuilder {
  private readonly symbol: string;
  private readonly scheduler: Scheduler;
  private readonly onBar: (bar: Bar) => void;
  private readonly graceMs: number;
  private readonly fillAlways: boolean;
  private readonly maxQuietMs: number;
  private lastPrice: number | undefined;
  private lastCumulativeVolume: number | undefined;
  private lastTickMs = Number.NEGATIVE_INFINITY;
  private bucket: OpenBucket | undefined;
  /** Start of the first bucket not yet emitted or passed over. */
  private nextEmptyMs = Number.POSITIVE_INFINITY;
  private cancelTimer: CancelTimer | undefined;
  private timerDueMs = Number.NaN;
  private stopped = false;

  constructor(options: TickBarBuilderOptions) {
    this.symbol = options.symbol;
    this.scheduler = options.scheduler;
    this.onBar = options.onBar;
    this.graceMs = options.graceMs ?? 250;
    this.fillAlways = options.fillFlatBars === "always";
    this.maxQuietMs = options.maxQuietMs ?? 120_000;
  }

  /** A trade price (tick 4 last / 68 delayed last); IB's -1 or 0 for "no price" is ignored. */
  onPrice(price: number): void {
    if (this.stopped) return;
    const nowMs = this.scheduler.nowMs();
    this.closeBucketsBefore(nowMs);
    this.lastTickMs = nowMs;
    if (price > 0 && price < Number.POSITIVE_INFINITY) {
      const bucket = this.openBucketAt(nowMs, price);
      if (price > bucket.high) bucket.high = price;
      if (price < bucket.low) bucket.low = price;
      bucket.close = price;
      this.lastPrice = price;
    }
    this.armTimer();
  }

  /** The cumulative day volume (tick 8 / 74 delayed); a drop (a new day, a reset) restarts counting from it. */
  onVolume(cumulativeVolume: number): void {
    if (this.stopped) return;
    const nowMs = this.scheduler.nowMs();
    this.closeBucketsBefore(nowMs);
    this.lastTickMs = nowMs;
    if (cumulativeVolume >= 0 && cumulativeVolume < Number.POSITIVE_INFINITY) {
      const previous = this.lastCumulativeVolume;
      this.lastCumulativeVolume = cumulativeVolume;
      // The first reading is the day's total so far, not this bucket's; after a drop we cannot tell what
      // was traded since the reset, so neither adds volume.
      const added = previous !== undefined && cumulativeVolume > previous ? cumulativeVolume - previous : 0;
      if (added > 0 && this.lastPrice !== undefined) this.openBucketAt(nowMs, this.lastPrice).volume += added;
    }
    this.armTimer();
  }

  /** Stops emitting; the bucket in progress is discarded. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerDueMs = Number.NaN;
  }

  private openBucketAt(nowMs: number, price: number): OpenBucket {
    if (this.bucket !== undefined) return this.bucket;
    const startMs = bucketStart(nowMs);
    const bucket: OpenBucket = { startMs, open: price, high: price, low: price, close: price, volume: 0 };
    this.bucket = bucket;
    if (this.nextEmptyMs > startMs) this.nextEmptyMs = startMs;
    return bucket;
  }

  /** Emits the open bucket and the flat buckets after it when they ended by `timeMs`. */
  private closeBucketsBefore(timeMs: number): void {
    const currentStartMs = bucketStart(timeMs);
    const bucket = this.bucket;
    if (bucket !== undefined && bucket.startMs < currentStartMs) {
      this.bucket = undefined;
      this.nextEmptyMs = bucket.startMs + FIVE_SECONDS_MS;
      this.emit(bucket.startMs, bucket.open, bucket.high, bucket.low, bucket.close, bucket.volume);
    }
    const price = this.lastPrice;
    if (price === undefined || this.bucket !== undefined) return;
    for (let startMs = this.nextFlatMs(); startMs < currentStartMs; startMs = this.nextFlatMs()) {
      this.nextEmptyMs = startMs + FIVE_SECONDS_MS;
      this.emit(startMs, price, price, price, price, 0);
    }
    if (this.nextEmptyMs < currentStartMs) this.nextEmptyMs = currentStartMs;
  }

  /** Start of the next bucket that gets a flat bar if nothing trades in it; +∞ once the stream is too quiet. */
  private nextFlatMs(): number {
    const fromMs = this.nextEmptyMs;
    const session = sessionOf(fromMs);
    const startMs =
      this.fillAlways || (session !== undefined && fromMs >= session.openMs && fromMs < session.closeMs)
        ? fromMs
        : nextSessionOpen(fromMs);
    return startMs + FIVE_SECONDS_MS - this.lastTickMs <= this.maxQuietMs
      ? startMs
      : Number.POSITIVE_INFINITY;
  }

  /** Keeps one timer at the end (plus grace) of the next bucket due; most ticks leave it as it is. */
  private armTimer(): void {
    let dueStartMs = this.bucket?.startMs;
    if (dueStartMs === undefined && this.lastPrice !== undefined) dueStartMs = this.nextFlatMs();
    const dueMs =
      dueStartMs === undefined || dueStartMs === Number.POSITIVE_INFINITY
        ? Number.NaN
        : dueStartMs + FIVE_SECONDS_MS + this.graceMs;
    if (dueMs === this.timerDueMs) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerDueMs = dueMs;
    if (Number.isNaN(dueMs)) return;
    this.cancelTimer = this.scheduler.setTimer(dueMs - this.scheduler.nowMs(), () => {
      this.cancelTimer = undefined;
      this.timerDueMs = Number.NaN;
      this.closeBucketsBefore(this.scheduler.nowMs() - this.graceMs);
      this.armTimer();
    });
  }

  private emit(
    startMs: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
  ): void {
    this.onBar(
      makeBar({
        symbol: this.symbol,
        openTime: startMs,
        closeTime: startMs + FIVE_SECONDS_MS,
        open,
        high,
        low,
        close,
        volume,
      }),
    );
  }
}
