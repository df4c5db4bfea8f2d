/**
 * The two ports a live bar feed consumes; the IB adapter implements them (real-time bars or ticks built
 * into bars, and the paced historical data client).
 */
import type { Bar } from "../model/bar.js";

/** 5-second bars for one symbol from the gateway (IB real-time bars, or built from delayed ticks). */
export interface FiveSecondBarSource {
  /**
   * Starts a subscription; bars arrive in time order; `onEnd` reports a subscription IB ended; `onSent` is
   * called once the request has actually been sent to the gateway (it may wait in a send queue for the
   * message rate, and no bar can come before it); returns the unsubscribe.
   */
  subscribe(
    symbol: string,
    onBar: (bar: Bar) => void,
    onEnd: (error: Error) => void,
    onSent: () => void,
  ): () => void;
}

/** Who is waiting for a history request: a live gap (ahead in the pacer's queue) or a warm-up. */
export type BackfillPriority = "live" | "warmup";

/** History for backfill: bars of `barSizeSetting` (IB spelling, e.g. "5 secs", "1 hour") covering [fromMs, toMs). */
export interface BackfillSource {
  fetchBars(
    symbol: string,
    barSizeSetting: string,
    fromMs: number,
    toMs: number,
    priority: BackfillPriority,
  ): Promise<readonly Bar[]>;
}

/** IB's barSizeSetting for a bar length of whole seconds, minutes or hours ("5 secs", "1 min", "30 mins", "1 hour"). */
export function ibBarSizeSetting(barSeconds: number): string {
  if (barSeconds % 3600 === 0) return barSeconds === 3600 ? "1 hour" : `${barSeconds / 3600} hours`;
  if (barSeconds % 60 === 0) return barSeconds === 60 ? "1 min" : `${barSeconds / 60} mins`;
  return `${barSeconds} secs`;
}
