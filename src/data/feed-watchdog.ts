import type { CancelTimer, Scheduler } from "../core/scheduler.js";
import type { FeedResumed, FeedStalled } from "./feed-event.js";
import { nextSessionOpen, sessionOf } from "./trading-session.js";

/** Tunables of a FeedWatchdog. */
export interface FeedWatchdogSettings {
  /** Silence during trading hours after which the feed counts as stalled; default 30 s. */
  readonly stallAfterMs?: number;
  /** Longest wait between resubscribes while a feed stays stalled (the wait starts at stallAfterMs and doubles); default 5 min. */
  readonly maxRetryDelayMs?: number;
  /**
   * Longest a subscription request may wait to be sent (in the send queue, behind the message rate) before
   * silence counts anyway; default maxRetryDelayMs.
   */
  readonly maxSendWaitMs?: number;
}

/** What a FeedWatchdog watches and whom it tells. */
export interface FeedWatchdogOptions extends FeedWatchdogSettings {
  readonly symbol: string;
  readonly scheduler: Scheduler;
  readonly onEvent: (event: FeedStalled | FeedResumed) => void;
  /** Asks the feed to resubscribe. */
  readonly resubscribe: (reason: string) => void;
}

/**
 * Watches one subscription's 5-second bars during regular trading hours: after `stallAfterMs` without a
 * bar it reports FeedStalled and asks for a resubscribe, again with a doubling wait while the silence
 * lasts, and reports FeedResumed when a bar comes. Silence outside the session (nights, weekends,
 * holidays) is expected and not reported; a session's silence counts from its open. Silence also counts
 * only from when the subscription request was actually sent: after a reconnect a hundred requests can wait
 * seconds behind the message rate, and resubscribing those would only queue more of them (a cancel and a
 * new request each) ahead of the ones that would have answered.
 */
export class FeedWatchdog {
  private readonly symbol: string;
  private readonly scheduler: Scheduler;
  private readonly onEvent: (event: FeedStalled | FeedResumed) => void;
  private readonly resubscribe: (reason: string) => void;
  private readonly stallAfterMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxSendWaitMs: number;
  private lastBarMs = Number.NEGATIVE_INFINITY;
  /** When the latest subscription request was made while it waits to be sent; undefined once sent. */
  private requestedAtMs: number | undefined;
  private sentAtMs = Number.NEGATIVE_INFINITY;
  private checking = false;
  private stalledSinceMs: number | undefined;
  private retryDelayMs: number;
  private nextRetryMs = Number.NEGATIVE_INFINITY;
  private cancelTimer: CancelTimer | undefined;
  private watching = false;

  constructor(options: FeedWatchdogOptions) {
    this.symbol = options.symbol;
    this.scheduler = options.scheduler;
    this.onEvent = options.onEvent;
    this.resubscribe = options.resubscribe;
    this.stallAfterMs = options.stallAfterMs ?? 30_000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 300_000;
    this.maxSendWaitMs = options.maxSendWaitMs ?? this.maxRetryDelayMs;
    this.retryDelayMs = this.stallAfterMs;
  }

  /** Starts watching; silence counts from now. */
  start(): void {
    this.watching = true;
    this.lastBarMs = this.scheduler.nowMs();
    this.check();
  }

  /** A subscription request was made; it may wait in a send queue before it reaches the gateway. */
  subscriptionRequested(): void {
    this.requestedAtMs = this.scheduler.nowMs();
  }

  /** The latest subscription request has been sent: silence counts from now. */
  subscriptionSent(): void {
    this.requestSettled(true);
  }

  /** The latest subscription request ended unsent (refused, or its session ended): nothing waits to be sent. */
  subscriptionEnded(): void {
    this.requestSettled(false);
  }

  /** A 5-second bar arrived on the watched subscription. */
  barArrived(): void {
    if (!this.watching) return;
    const nowMs = this.scheduler.nowMs();
    this.requestedAtMs = undefined;
    this.lastBarMs = nowMs;
    const since = this.stalledSinceMs;
    if (since === undefined) return;
    this.stalledSinceMs = undefined;
    this.retryDelayMs = this.stallAfterMs;
    this.onEvent({ type: "FeedResumed", symbol: this.symbol, stalledForMs: nowMs - since });
    this.check();
  }

  /** Stops watching. */
  stop(): void {
    this.watching = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private requestSettled(sent: boolean): void {
    if (this.requestedAtMs === undefined) return;
    this.requestedAtMs = undefined;
    if (sent) this.sentAtMs = this.scheduler.nowMs();
    if (this.watching && !this.checking) this.check();
  }

  private check(): void {
    this.checking = true;
    try {
      this.checkNow();
    } finally {
      this.checking = false;
    }
  }

  private checkNow(): void {
    this.cancelTimer?.();
    const nowMs = this.scheduler.nowMs();
    const session = sessionOf(nowMs);
    let dueMs: number;
    if (session === undefined || nowMs < session.openMs || nowMs >= session.closeMs) {
      // A stall that outlasts the session stays reported (FeedResumed comes with the next bar), but the
      // next session starts with a fresh retry delay.
      this.retryDelayMs = this.stallAfterMs;
      dueMs = nextSessionOpen(nowMs) + this.stallAfterMs;
    } else {
      // A request still waiting to be sent counts as sent now, up to maxSendWaitMs after it was made.
      const sentAtMs =
        this.requestedAtMs === undefined
          ? this.sentAtMs
          : Math.min(nowMs, this.requestedAtMs + this.maxSendWaitMs);
      const silentSinceMs = Math.max(this.lastBarMs, session.openMs, sentAtMs);
      if (nowMs - silentSinceMs < this.stallAfterMs) {
        dueMs = silentSinceMs + this.stallAfterMs;
      } else {
        if (nowMs >= this.nextRetryMs || this.stalledSinceMs === undefined)
          this.reportStall(nowMs, silentSinceMs);
        dueMs = this.nextRetryMs;
      }
    }
    this.cancelTimer = this.scheduler.setTimer(dueMs - nowMs, () => {
      this.cancelTimer = undefined;
      this.check();
    });
  }

  private reportStall(nowMs: number, silentSinceMs: number): void {
    const sinceMs = this.stalledSinceMs ?? silentSinceMs;
    this.stalledSinceMs = sinceMs;
    this.nextRetryMs = nowMs + this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.maxRetryDelayMs);
    const silentForMs = nowMs - sinceMs;
    this.onEvent({ type: "FeedStalled", symbol: this.symbol, sinceMs, silentForMs });
    this.resubscribe(`no 5-second bar for ${Math.round(silentForMs / 1000)}s during trading hours`);
  }
}
