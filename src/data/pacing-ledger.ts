import type { HistoricalPacingLimits } from "./pacing-limits.js";

/** One historical request as the pacing rules see it, recorded at the instant it was sent. */
export interface PacingSend {
  readonly timeMs: number;
  readonly identityKey: string;
  readonly seriesKey: string;
  /** How many requests it counts as (BID_ASK 2) for the series and long-window rules. */
  readonly weight: number;
}

/** The message-rate window: IB counts messages per second (ibkr-facts.md §3.2). */
const MESSAGE_WINDOW_MS = 1_000;

/**
 * The sliding windows of the requests already sent, and the earliest instant at which each rule lets one
 * more through. Every window is widened by the same safety margin: what IB sees is the spacing of arrivals,
 * which latency jitter of up to the margin can shrink below the spacing of our sends.
 */
export class PacingLedger {
  private readonly identicalWindowMs: number;
  private readonly sameSeriesWindowMs: number;
  private readonly longWindowMs: number;
  private readonly messageWindowMs: number;
  private readonly longestWindowMs: number;
  /** Sends in the longest window, oldest first (send times never decrease). */
  private sends: PacingSend[] = [];
  private readonly lastIdenticalMs = new Map<string, number>();

  constructor(
    private readonly limits: HistoricalPacingLimits,
    safetyMarginMs: number,
    private readonly maxRequestsPerSecond: number,
  ) {
    this.identicalWindowMs = limits.identicalRequestWindowMs + safetyMarginMs;
    this.sameSeriesWindowMs = limits.sameSeriesWindowMs + safetyMarginMs;
    this.longWindowMs = limits.longWindowMs + safetyMarginMs;
    this.messageWindowMs = MESSAGE_WINDOW_MS + safetyMarginMs;
    this.longestWindowMs = Math.max(
      this.identicalWindowMs,
      this.sameSeriesWindowMs,
      this.longWindowMs,
      this.messageWindowMs,
    );
  }

  /** Counts a send toward every window from its send time on. */
  record(send: PacingSend): void {
    this.sends.push(send);
    this.lastIdenticalMs.set(send.identityKey, send.timeMs);
  }

  /**
   * Counts `send` (recorded earlier) from `nowMs` instead: it waited in a send queue and only left now, and
   * the gateway counts it from its arrival. Keeps the sends in time order (`nowMs` is the latest time).
   */
  moveToNow(send: PacingSend, nowMs: number): void {
    const index = this.sends.indexOf(send);
    if (index < 0 || send.timeMs >= nowMs) return;
    this.sends.splice(index, 1);
    this.sends.push({ ...send, timeMs: nowMs });
    if ((this.lastIdenticalMs.get(send.identityKey) ?? Number.NEGATIVE_INFINITY) < nowMs) {
      this.lastIdenticalMs.set(send.identityKey, nowMs);
    }
  }

  /** Drops the sends no window holds at `nowMs` any more. */
  forget(nowMs: number): void {
    let stale = 0;
    while (
      stale < this.sends.length &&
      nowMs - (this.sends[stale]?.timeMs ?? nowMs) >= this.longestWindowMs
    ) {
      stale += 1;
    }
    if (stale > 0) this.sends = this.sends.slice(stale);
    for (const [key, timeMs] of this.lastIdenticalMs) {
      if (nowMs - timeMs >= this.identicalWindowMs) this.lastIdenticalMs.delete(key);
    }
  }

  /** Earliest instant the identical-request rule admits `identityKey` (in the past when it admits it now). */
  identicalFreeAtMs(identityKey: string): number {
    const lastMs = this.lastIdenticalMs.get(identityKey);
    return lastMs === undefined ? Number.NEGATIVE_INFINITY : lastMs + this.identicalWindowMs;
  }

  /** Earliest instant the same-series rule admits a request of `weight` for `seriesKey`, ≤ `nowMs` if now. */
  seriesFreeAtMs(seriesKey: string, weight: number, nowMs: number): number {
    return this.freeAtMs(nowMs, this.sameSeriesWindowMs, this.limits.maxSameSeriesRequests, weight, (send) =>
      send.seriesKey === seriesKey ? send.weight : 0,
    );
  }

  /** Earliest instant the long-window and message-rate rules admit a request of `weight`, ≤ `nowMs` if now. */
  sharedFreeAtMs(weight: number, nowMs: number): number {
    const longWindow = this.freeAtMs(
      nowMs,
      this.longWindowMs,
      this.limits.maxRequestsPerLongWindow,
      weight,
      (send) => send.weight,
    );
    // One reqHistoricalData is one message, whatever it asks for.
    const messageRate = this.freeAtMs(nowMs, this.messageWindowMs, this.maxRequestsPerSecond, 1, () => 1);
    return Math.max(longWindow, messageRate);
  }

  /**
   * When the weighted sum of the sends inside a window of `windowMs` leaves room for `weight` more under
   * `cap`: now, or the instant the oldest sends that must leave have left; never when weight exceeds cap.
   */
  private freeAtMs(
    nowMs: number,
    windowMs: number,
    cap: number,
    weight: number,
    weightOf: (send: PacingSend) => number,
  ): number {
    const held = this.sends.filter((send) => nowMs - send.timeMs < windowMs);
    let total = 0;
    for (const send of held) total += weightOf(send);
    if (total + weight <= cap) return nowMs;
    for (const send of held) {
      total -= weightOf(send);
      if (total + weight <= cap) return send.timeMs + windowMs;
    }
    return Number.POSITIVE_INFINITY;
  }
}
