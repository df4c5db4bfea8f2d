/**
 * Events a live bar feed reports, as one discriminated union on `type` (past tense, family first).
 */
import type { Bar } from "../model/bar.js";

/** A timeframe bar closed: a warm-up bar from history, or a bar built from 5-second bars. */
export interface FeedBarClosed {
  readonly type: "FeedBarClosed";
  readonly bar: Bar;
  readonly source: "history" | "live";
}

/** A bar was refused (bad prices or volume, duplicate, out of order, too late for its bucket). */
export interface FeedBarDropped {
  readonly type: "FeedBarDropped";
  readonly symbol: string;
  readonly reason: string;
  readonly bar: Bar;
}

/** No 5-second bar came during trading hours for longer than the stall limit; a resubscribe follows. */
export interface FeedStalled {
  readonly type: "FeedStalled";
  readonly symbol: string;
  /** When the silence began: the last bar's arrival, or the session open if that came later. */
  readonly sinceMs: number;
  readonly silentForMs: number;
}

/** A 5-second bar arrived again after a stall. */
export interface FeedResumed {
  readonly type: "FeedResumed";
  readonly symbol: string;
  readonly stalledForMs: number;
}

/** A resubscription is live again and the gap before its first bar was filled from history. */
export interface FeedResubscribed {
  readonly type: "FeedResubscribed";
  readonly symbol: string;
  readonly reason: string;
  readonly backfilledBars: number;
}

/**
 * Something the feed could not recover by itself: a warm-up or backfill request that kept failing (the feed
 * goes on without it), or a subscription the gateway ended (the watchdog resubscribes in trading hours).
 */
export interface FeedFailed {
  readonly type: "FeedFailed";
  readonly symbol: string;
  readonly stage: "warm-up" | "backfill" | "subscription";
  readonly error: Error;
}

/** Everything a live bar feed reports. */
export type FeedEvent =
  FeedBarClosed | FeedBarDropped | FeedStalled | FeedResumed | FeedResubscribed | FeedFailed;
