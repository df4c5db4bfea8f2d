import type { CancelTimer, Scheduler } from "../core/scheduler.js";
import type { Bar } from "../model/bar.js";
import type { Timeframe } from "../model/timeframe.js";
import { BarAggregator } from "./bar-aggregator.js";
import { formatTimeForMessage, validateBar } from "./bar-validation.js";
import { liveBucketOf, requireIntradayTimeframe, type LiveBucket } from "./live-bucket.js";

const FIVE_SECONDS_MS = 5000;

/** IB's real-time bars arrive a little after their end; a bucket missing its last bars waits this long. */
export const DEFAULT_CLOSE_GRACE_MS = 10_000;

/** How far a bar may open ahead of our clock (IB stamps bars by its own clock) before it counts as bogus. */
export const MAX_CLOCK_SKEW_MS = 60_000;

/** What a LiveBarAssembler needs: one symbol, its timeframe, time, and where bars and refusals go. */
export interface LiveBarAssemblerOptions {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly scheduler: Scheduler;
  /** Receives each timeframe bar once, at its close; its closeTime is the bucket end. */
  readonly onBar: (bar: Bar) => void;
  readonly onDropped: (bar: Bar, reason: string) => void;
  /** How long after a bucket's end it closes when its last 5-second bar has not come; default 10 s. */
  readonly graceMs?: number;
}

/**
 * Validates one symbol's 5-second bars and aggregates them into its timeframe, emitting each bucket once:
 * when the 5-second bar that ends it arrives, when a bar of a later bucket arrives, or when a timer at the
 * bucket end plus the grace fires — whichever comes first. Bad bars are dropped with a reason.
 */
export class LiveBarAssembler {
  private readonly symbol: string;
  private readonly timeframe: Timeframe;
  private readonly scheduler: Scheduler;
  private readonly onDropped: (bar: Bar, reason: string) => void;
  private readonly graceMs: number;
  private readonly aggregator: BarAggregator;
  private previous: Bar | undefined;
  private openBucket: LiveBucket | undefined;
  private cancelCloseTimer: CancelTimer | undefined;
  private closedUntil = Number.NEGATIVE_INFINITY;
  private held = false;

  constructor(options: LiveBarAssemblerOptions) {
    requireIntradayTimeframe(options.timeframe);
    this.symbol = options.symbol;
    this.timeframe = options.timeframe;
    this.scheduler = options.scheduler;
    this.onDropped = options.onDropped;
    this.graceMs = options.graceMs ?? DEFAULT_CLOSE_GRACE_MS;
    const onBar = options.onBar;
    this.aggregator = new BarAggregator(options.timeframe, (bar) => {
      this.closedUntil = bar.closeTime;
      onBar(bar);
    });
  }

  /** End of the last bucket emitted: a bar opening before it can no longer be used. */
  get closedUntilMs(): number {
    return this.closedUntil;
  }

  /** Takes one 5-second bar; returns false when it was dropped (and reported). */
  push(bar: Bar): boolean {
    const reason = this.problemWith(bar);
    if (reason !== undefined) {
      this.onDropped(bar, reason);
      return false;
    }
    this.previous = bar;
    const bucket = liveBucketOf(bar.openTime, this.timeframe);
    if (this.openBucket?.startMs !== bucket.startMs) {
      this.cancelTimer();
      this.openBucket = bucket;
      this.armCloseTimer();
    }
    this.aggregator.push(bar);
    if (bar.closeTime >= bucket.endMs) this.closeOpenBucket(bucket);
    return true;
  }

  /**
   * While the subscription is down, the open bucket must not close on its timer with only part of its data:
   * it waits for the backfill (bars pushed meanwhile still close buckets as usual).
   */
  hold(): void {
    this.held = true;
    this.cancelTimer();
  }

  /** Ends a hold: the open bucket closes on its timer again (at once if that time has passed). */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.armCloseTimer();
  }

  /** Stops the close timer; an open bucket is left unemitted. */
  stop(): void {
    this.cancelTimer();
    this.openBucket = undefined;
  }

  private closeOpenBucket(bucket: LiveBucket): void {
    this.cancelTimer();
    this.openBucket = undefined;
    this.aggregator.closeAt(bucket.endMs);
  }

  private armCloseTimer(): void {
    const bucket = this.openBucket;
    if (bucket === undefined || this.held || this.cancelCloseTimer !== undefined) return;
    this.cancelCloseTimer = this.scheduler.setTimer(
      bucket.endMs + this.graceMs - this.scheduler.nowMs(),
      () => {
        this.cancelCloseTimer = undefined;
        this.closeOpenBucket(bucket);
      },
    );
  }

  private cancelTimer(): void {
    this.cancelCloseTimer?.();
    this.cancelCloseTimer = undefined;
  }

  private problemWith(bar: Bar): string | undefined {
    if (bar.symbol !== this.symbol) return `bar is for ${bar.symbol}, not ${this.symbol}`;
    const invalid = validateBar(bar);
    if (invalid !== undefined) return invalid;
    if (bar.closeTime - bar.openTime !== FIVE_SECONDS_MS || bar.openTime % FIVE_SECONDS_MS !== 0) {
      return (
        `bar ${formatTimeForMessage(bar.openTime)}–${formatTimeForMessage(bar.closeTime)} ` +
        `is not a 5-second bar on a 5-second boundary`
      );
    }
    if (bar.openTime > this.scheduler.nowMs() + MAX_CLOCK_SKEW_MS) {
      return `opens at ${formatTimeForMessage(bar.openTime)}, in the future (now ${formatTimeForMessage(this.scheduler.nowMs())})`;
    }
    const previous = this.previous;
    if (previous !== undefined && bar.openTime <= previous.openTime) {
      return bar.openTime === previous.openTime
        ? `duplicate of the bar at ${formatTimeForMessage(bar.openTime)}`
        : `out of order: opens at ${formatTimeForMessage(bar.openTime)}, before the previous bar at ${formatTimeForMessage(previous.openTime)}`;
    }
    if (bar.openTime < this.closedUntil) {
      return (
        `too late: its ${this.timeframe.label} bar closed at ${formatTimeForMessage(this.closedUntil)} ` +
        `before it arrived`
      );
    }
    return undefined;
  }
}
