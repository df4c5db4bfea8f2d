import { InvariantError } from "../core/errors.js";
import type { CancelTimer, Scheduler } from "../core/scheduler.js";
import type { Bar } from "../model/bar.js";
import type { Timeframe } from "../model/timeframe.js";
import { BarAggregator } from "./bar-aggregator.js";
import { formatTimeForMessage, validateBar } from "./bar-validation.js";
import type { FeedEvent } from "./feed-event.js";
import { FeedWatchdog, type FeedWatchdogSettings } from "./feed-watchdog.js";
import { DEFAULT_CLOSE_GRACE_MS, LiveBarAssembler, MAX_CLOCK_SKEW_MS } from "./live-bar-assembler.js";
import { liveBucketOf, requireIntradayTimeframe } from "./live-bucket.js";
import {
  ibBarSizeSetting,
  type BackfillPriority,
  type BackfillSource,
  type FiveSecondBarSource,
} from "./live-feed-ports.js";
import { regularSessionRanges, warmupStartMs, type TimeRange } from "./live-session-ranges.js";
import { sessionOf } from "./trading-session.js";

/** IB's 1-hour (and longer) history bars are cut at 10:00, 11:00, … but ours at 10:30, 11:30, …: warm up from 30-minute bars. */
const LONGEST_ALIGNED_HISTORY_SECONDS = 1800;
const FIVE_SECONDS_MS = 5000;

/** What one symbol's LiveBarFeed is built on. */
export interface LiveBarFeedOptions {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly bars: FiveSecondBarSource;
  readonly history: BackfillSource;
  readonly scheduler: Scheduler;
  readonly onEvent: (event: FeedEvent) => void;
  /** How long after a bucket's end it closes when its last 5-second bar has not come; default 10 s. */
  readonly graceMs?: number;
  /** Waits before each retry of a failed history request; FeedFailed after the last; default 2 s, 10 s, 30 s. */
  readonly retryDelaysMs?: readonly number[];
  /** Stall watching during trading hours (default settings when omitted), or false for none. */
  readonly watchdog?: FeedWatchdogSettings | false;
}

type Phase = "idle" | "seaming" | "live" | "stopped";

type FetchResult =
  { readonly ok: true; readonly bars: readonly Bar[] } | { readonly ok: false; readonly error: Error };

function byOpenTime(a: Bar, b: Bar): number {
  return a.openTime - b.openTime;
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/**
 * One symbol's bars from warm-up to live: subscribes to 5-second bars at once and buffers them, emits
 * warm-up history up to the start of the current bucket, backfills 5-second history from there to the
 * first live bar, then runs everything through a LiveBarAssembler — so the seam has no gap and no
 * duplicate. `resubscribe` does the same across an outage. Backfill covers regular-session time only.
 */
export class LiveBarFeed {
  private readonly symbol: string;
  private readonly timeframe: Timeframe;
  private readonly bars: FiveSecondBarSource;
  private readonly history: BackfillSource;
  private readonly scheduler: Scheduler;
  private readonly onEvent: (event: FeedEvent) => void;
  private readonly retryDelaysMs: readonly number[];
  private readonly graceMs: number;
  private readonly assembler: LiveBarAssembler;
  private readonly watchdog: FeedWatchdog | undefined;
  private phase: Phase = "idle";
  private generation = 0;
  private unsubscribe: (() => void) | undefined;
  private buffer: Bar[] = [];
  /** True until the current subscription delivers a bar past what the feed already has. */
  private catchingUp = true;
  private warmedUp = false;
  private seamInFlight = false;
  /** Close time of the last 5-second bar the assembler took (the seam at first). */
  private cursorMs = Number.NEGATIVE_INFINITY;
  /** End of the last 5-second slot a bar was heard for, accepted or not. */
  private heardUntilMs = Number.NEGATIVE_INFINITY;
  private resubscribeReason: string | undefined;
  private readonly retryTimers = new Set<CancelTimer>();

  constructor(options: LiveBarFeedOptions) {
    requireIntradayTimeframe(options.timeframe);
    this.symbol = options.symbol;
    this.timeframe = options.timeframe;
    this.bars = options.bars;
    this.history = options.history;
    this.scheduler = options.scheduler;
    this.onEvent = options.onEvent;
    this.retryDelaysMs = options.retryDelaysMs ?? [2000, 10_000, 30_000];
    this.graceMs = options.graceMs ?? DEFAULT_CLOSE_GRACE_MS;
    this.assembler = new LiveBarAssembler({
      symbol: options.symbol,
      timeframe: options.timeframe,
      scheduler: options.scheduler,
      ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
      onBar: (bar) => {
        this.onEvent({ type: "FeedBarClosed", bar, source: "live" });
      },
      onDropped: (bar, reason) => {
        this.onEvent({ type: "FeedBarDropped", symbol: this.symbol, reason, bar });
      },
    });
    this.watchdog =
      options.watchdog === false
        ? undefined
        : new FeedWatchdog({
            ...options.watchdog,
            symbol: options.symbol,
            scheduler: options.scheduler,
            onEvent: options.onEvent,
            resubscribe: (reason) => {
              this.resubscribe(reason);
            },
          });
  }

  /** Subscribes, then emits the last `warmupBars` completed bars from history before the live ones. */
  start(warmupBars: number): void {
    if (this.phase !== "idle") throw new InvariantError(`the ${this.symbol} feed was already started`);
    const seamMs = liveBucketOf(this.scheduler.nowMs(), this.timeframe).startMs;
    this.cursorMs = seamMs;
    this.heardUntilMs = seamMs;
    this.phase = "seaming";
    this.subscribe();
    this.watchdog?.start();
    void this.warmUp(warmupBars, seamMs);
  }

  /** Drops the subscription and subscribes again, backfilling from the last bar to the new first one. */
  resubscribe(reason: string): void {
    if (this.phase === "idle" || this.phase === "stopped") return;
    this.unsubscribe?.();
    this.phase = "seaming";
    this.seamInFlight = false;
    this.resubscribeReason = reason;
    this.assembler.hold();
    this.subscribe();
    this.seamWhileClosed();
  }

  /**
   * Outside the regular session no live bar comes to close the seam until the next open, so the session's
   * last bars (lost when the connection dropped at or near the close) would wait for the morning. Once the
   * close has had its grace, the gap is backfilled up to now and the feed goes live without a bar.
   */
  private seamWhileClosed(): void {
    const nowMs = this.scheduler.nowMs();
    const session = sessionOf(nowMs);
    if (session !== undefined && nowMs >= session.openMs && nowMs < session.closeMs) return;
    const lastCloseMs =
      session !== undefined && nowMs >= session.closeMs ? session.closeMs : Number.NEGATIVE_INFINITY;
    const generation = this.generation;
    const cancel = this.scheduler.setTimer(Math.max(0, lastCloseMs + this.graceMs - nowMs), () => {
      this.retryTimers.delete(cancel);
      if (generation !== this.generation || this.phase !== "seaming" || !this.warmedUp) return;
      if (this.seamInFlight || this.buffer.length > 0) return;
      const fromMs = this.seamStartMs();
      const toMs = this.scheduler.nowMs();
      if (regularSessionRanges(fromMs, toMs).length === 0) return;
      this.seamInFlight = true;
      void this.closeSeam(generation, fromMs, toMs);
    });
    this.retryTimers.add(cancel);
  }

  /** Unsubscribes and stops every timer; an unfinished bucket is not emitted. */
  stop(): void {
    this.phase = "stopped";
    this.generation++;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.buffer = [];
    this.assembler.stop();
    this.watchdog?.stop();
    for (const cancel of this.retryTimers) cancel();
    this.retryTimers.clear();
  }

  private subscribe(): void {
    const generation = ++this.generation;
    this.buffer = [];
    this.catchingUp = true;
    this.watchdog?.subscriptionRequested();
    this.unsubscribe = this.bars.subscribe(
      this.symbol,
      (bar) => {
        this.onLiveBar(generation, bar);
      },
      (error) => {
        if (generation === this.generation) {
          this.watchdog?.subscriptionEnded();
          // The bucket under way must wait for the backfill rather than close with part of its data.
          this.assembler.hold();
          this.onEvent({ type: "FeedFailed", symbol: this.symbol, stage: "subscription", error });
        }
      },
      () => {
        if (generation === this.generation) this.watchdog?.subscriptionSent();
      },
    );
  }

  private onLiveBar(generation: number, bar: Bar): void {
    if (generation !== this.generation) return;
    this.watchdog?.barArrived();
    this.receive(bar);
  }

  /**
   * Takes a live bar, or buffers it while a seam is being closed. A bar that leaves a hole of session time
   * after the last bar heard (bars lost while the subscription recovered by itself, e.g. after a farm
   * flap) opens a seam too, so the hole is backfilled before the bar is used.
   */
  private receive(bar: Bar): void {
    if (this.phase === "live" && !this.opensHole(bar)) {
      this.takeLive(bar);
      return;
    }
    this.phase = "seaming";
    this.buffer.push(bar);
    this.trySeam();
  }

  private opensHole(bar: Bar): boolean {
    return (
      bar.openTime > this.heardUntilMs && regularSessionRanges(this.heardUntilMs, bar.openTime).length > 0
    );
  }

  private async warmUp(warmupBars: number, seamMs: number): Promise<void> {
    if (warmupBars > 0) {
      const barSeconds = Math.min(this.timeframe.seconds, LONGEST_ALIGNED_HISTORY_SECONDS);
      const range = { fromMs: warmupStartMs(seamMs, this.timeframe, warmupBars), toMs: seamMs };
      const result = await this.fetch([range], ibBarSizeSetting(barSeconds), "warmup");
      if (this.phase === "stopped") return;
      if (result.ok) this.emitWarmup(result.bars, seamMs, warmupBars);
      else this.onEvent({ type: "FeedFailed", symbol: this.symbol, stage: "warm-up", error: result.error });
    }
    this.warmedUp = true;
    this.trySeam();
  }

  /** Validates warm-up history, aggregates it into the timeframe (it may come in shorter bars) and emits the last `count`. */
  private emitWarmup(history: readonly Bar[], seamMs: number, count: number): void {
    const closed: Bar[] = [];
    const aggregator = new BarAggregator(this.timeframe, (bar) => closed.push(bar));
    let previous: Bar | undefined;
    for (const bar of [...history].sort(byOpenTime)) {
      if (bar.openTime >= seamMs) continue;
      const reason =
        bar.symbol === this.symbol
          ? previous?.openTime === bar.openTime
            ? `duplicate of the bar at ${formatTimeForMessage(bar.openTime)}`
            : validateBar(bar, previous)
          : `bar is for ${bar.symbol}, not ${this.symbol}`;
      if (reason === undefined) {
        aggregator.push(bar);
        previous = bar;
      } else {
        this.onEvent({ type: "FeedBarDropped", symbol: this.symbol, reason, bar });
      }
    }
    aggregator.flush();
    for (const bar of closed.slice(-count)) this.onEvent({ type: "FeedBarClosed", bar, source: "history" });
  }

  /** Once warmed up and the new subscription's first bar is in, backfills the gap before it and goes live. */
  private trySeam(): void {
    const first = this.buffer[0];
    if (this.phase !== "seaming" || !this.warmedUp || this.seamInFlight || first === undefined) return;
    this.seamInFlight = true;
    const fromMs = Math.max(this.cursorMs, this.assembler.closedUntilMs);
    void this.closeSeam(this.generation, fromMs, first.openTime);
  }

  private async closeSeam(generation: number, fromMs: number, toMs: number): Promise<void> {
    let history: readonly Bar[] = [];
    const ranges = regularSessionRanges(fromMs, toMs);
    if (ranges.length > 0) {
      const result = await this.fetch(ranges, ibBarSizeSetting(5), "live");
      if (generation !== this.generation) return;
      if (result.ok) history = result.bars;
      else this.onEvent({ type: "FeedFailed", symbol: this.symbol, stage: "backfill", error: result.error });
    }
    this.seamInFlight = false;
    this.phase = "live";
    // The gap has been asked for: what history did not have (or a failed request) is accepted as missing.
    this.heardUntilMs = Math.max(this.heardUntilMs, toMs);
    let backfilledBars = 0;
    for (const bar of [...history].sort(byOpenTime)) {
      if (generation !== this.generation) return;
      if (bar.openTime >= this.seamStartMs() && bar.openTime < toMs) {
        this.take(bar);
        backfilledBars++;
      }
    }
    const buffered = this.buffer;
    this.buffer = [];
    for (const bar of buffered) {
      if (generation !== this.generation) return;
      this.receive(bar);
    }
    this.assembler.release();
    const reason = this.resubscribeReason;
    this.resubscribeReason = undefined;
    if (reason !== undefined)
      this.onEvent({ type: "FeedResubscribed", symbol: this.symbol, reason, backfilledBars });
  }

  private seamStartMs(): number {
    return Math.max(this.cursorMs, this.assembler.closedUntilMs);
  }

  /**
   * Takes a bar from the subscription. Until it first gets past what the feed has, bars it repeats (those
   * the history already gave, or that came before an outage) are the seam's expected overlap, not bad data,
   * and are skipped quietly; after that a repeat is a duplicate and is dropped and reported.
   */
  private takeLive(bar: Bar): void {
    if (this.catchingUp && bar.openTime < this.seamStartMs()) return;
    this.catchingUp = false;
    this.take(bar);
  }

  private take(bar: Bar): void {
    if (this.assembler.push(bar)) this.cursorMs = bar.closeTime;
    // A bar dropped for its values was still heard: its slot is not a hole (no backfill for every bad bar).
    const heardUntilMs = bar.openTime + FIVE_SECONDS_MS;
    if (heardUntilMs > this.heardUntilMs && bar.openTime <= this.scheduler.nowMs() + MAX_CLOCK_SKEW_MS) {
      this.heardUntilMs = heardUntilMs;
    }
  }

  /** Fetches each range in turn, retrying a failed request after each of `retryDelaysMs`. */
  private async fetch(
    ranges: readonly TimeRange[],
    barSizeSetting: string,
    priority: BackfillPriority,
  ): Promise<FetchResult> {
    const bars: Bar[] = [];
    for (const range of ranges) {
      for (let attempt = 0; ; attempt++) {
        try {
          bars.push(
            ...(await this.history.fetchBars(
              this.symbol,
              barSizeSetting,
              range.fromMs,
              range.toMs,
              priority,
            )),
          );
          break;
        } catch (reason) {
          const delayMs = this.retryDelaysMs[attempt];
          if (delayMs === undefined || this.phase === "stopped") return { ok: false, error: asError(reason) };
          await this.delay(delayMs);
        }
      }
    }
    return { ok: true, bars };
  }

  private delay(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.scheduler.setTimer(delayMs, () => {
        this.retryTimers.delete(cancel);
        resolve();
      });
      this.retryTimers.add(cancel);
    });
  }
}
