import type { Clock } from "../core/clock.js";
import { makeBar, type Bar } from "../model/bar.js";
import type { QualifiedContract } from "../model/qualified-contract.js";
import type { Timeframe } from "../model/timeframe.js";
import { aggregateBars } from "./aggregate-bars.js";
import { validateBar } from "./bar-validation.js";
import type { HistoricalPacer, HistoryPriority } from "./historical-pacer.js";
import type { HistoricalDataPort, HistoricalWhatToShow } from "./historical-request.js";
import { historyBarSizeFor } from "./history-bar-size.js";
import { ibBarSeconds, type IbBarSize } from "./history-chunk-steps.js";
import { planHistoryChunks } from "./history-chunks.js";

/** One series of bars in the cache. */
export interface HistorySeries {
  readonly symbol: string;
  readonly conId: number;
  readonly barSizeSetting: string;
  readonly whatToShow: HistoricalWhatToShow;
  readonly useRth: boolean;
}

/** Where fetched history is kept (the SQLite bar cache); structural, so data/ does not depend on store/. */
export interface HistoryCache {
  missingRanges(
    series: HistorySeries,
    fromMs: number,
    toMs: number,
  ): readonly { fromMs: number; toMs: number }[];
  store(series: HistorySeries, coveredFromMs: number, coveredToMs: number, bars: readonly Bar[]): void;
  bars(series: HistorySeries, fromMs: number, toMs: number): Bar[];
}

/** What to fetch: a qualified contract, an IB bar size and a time range. */
export interface HistoryQuery {
  readonly contract: QualifiedContract;
  readonly barSize: IbBarSize;
  readonly fromMs: number;
  readonly toMs: number;
  readonly whatToShow?: HistoricalWhatToShow;
  readonly useRth?: boolean;
}

/** A bar IB sent that failed validation, and why. */
export interface DroppedBar {
  readonly bar: Bar;
  readonly reason: string;
}

/** How one fetch went. */
export interface HistoryResult {
  readonly bars: readonly Bar[];
  /** Requests sent to IB (the chunks the cache did not have). */
  readonly requests: number;
  /** Chunks served from the cache. */
  readonly cacheHits: number;
  readonly dropped: readonly DroppedBar[];
}

/** Progress of a fetch: chunks done out of chunks planned. */
export type HistoryProgress = (done: number, total: number) => void;

/**
 * History for any range and bar size: planned into chunks within IB's limits, the chunks the cache lacks
 * fetched through the pacer, each answer validated (bad bars dropped and reported), stored, and the range
 * read back from the cache stitched and de-duplicated by open time. A chunk that reaches into the still
 * open present is stored but only marked as covered up to the last finished bar, so it is fetched again.
 */
export class HistoryService {
  constructor(
    private readonly pacer: HistoricalPacer,
    private readonly source: HistoricalDataPort,
    private readonly clock: Clock,
    private readonly cache?: HistoryCache,
  ) {}

  async fetch(
    query: HistoryQuery,
    priority: HistoryPriority,
    onProgress?: HistoryProgress,
  ): Promise<HistoryResult> {
    const whatToShow = query.whatToShow ?? "TRADES";
    const useRth = query.useRth ?? true;
    const { contract } = query;
    const series: HistorySeries = {
      symbol: contract.symbol,
      conId: contract.conId,
      barSizeSetting: query.barSize,
      whatToShow,
      useRth,
    };
    const chunks = planHistoryChunks({
      symbol: contract.symbol,
      conId: contract.conId,
      exchange: contract.exchange,
      barSize: query.barSize,
      fromMs: query.fromMs,
      toMs: query.toMs,
      whatToShow,
      useRth,
    });
    const barMs = ibBarSeconds(query.barSize) * 1000;
    const settledMs = Math.floor(this.clock.nowMs() / barMs) * barMs;
    const toFetch = chunks.filter(
      (chunk) =>
        this.cache === undefined ||
        this.cache.missingRanges(
          series,
          chunk.startMs,
          Math.min(chunk.endMs, Math.max(chunk.startMs + 1, settledMs)),
        ).length > 0,
    );
    const cacheHits = chunks.length - toFetch.length;
    let done = cacheHits;
    onProgress?.(done, chunks.length);
    const dropped: DroppedBar[] = [];
    const fetched: Bar[] = [];
    await Promise.all(
      toFetch.map(async (chunk) => {
        const bars = await this.pacer.submit(chunk, priority, (request, sent) =>
          this.source.fetchHistory(request, sent),
        );
        const valid = this.validate(bars, dropped);
        if (this.cache !== undefined) {
          const coveredTo = Math.min(chunk.endMs, settledMs);
          this.cache.store(series, chunk.startMs, Math.max(coveredTo, chunk.startMs + 1), valid);
        } else {
          fetched.push(...valid);
        }
        done += 1;
        onProgress?.(done, chunks.length);
      }),
    );
    const bars =
      this.cache !== undefined
        ? this.cache.bars(series, query.fromMs, query.toMs)
        : stitch(fetched, query.fromMs, query.toMs);
    return { bars, requests: toFetch.length, cacheHits, dropped };
  }

  /**
   * Bars of `timeframe` for [fromMs, toMs): fetched in the bar size that agrees with our bucket anchoring
   * (history-bar-size.ts) and aggregated locally when that is smaller than the timeframe.
   */
  async fetchTimeframe(
    contract: QualifiedContract,
    timeframe: Timeframe,
    fromMs: number,
    toMs: number,
    priority: HistoryPriority,
    onProgress?: HistoryProgress,
    options: { readonly whatToShow?: HistoricalWhatToShow; readonly useRth?: boolean } = {},
  ): Promise<HistoryResult> {
    const barSize = historyBarSizeFor(timeframe);
    const result = await this.fetch({ contract, barSize, fromMs, toMs, ...options }, priority, onProgress);
    if (ibBarSeconds(barSize) === timeframe.seconds) return result;
    return { ...result, bars: [...aggregateBars(result.bars, timeframe)] };
  }

  private validate(bars: readonly Bar[], dropped: DroppedBar[]): Bar[] {
    const sorted = [...bars].sort((a, b) => a.openTime - b.openTime);
    const valid: Bar[] = [];
    let previous: Bar | undefined;
    for (const bar of sorted) {
      const reason = validateBar(bar, previous);
      if (reason !== undefined) {
        dropped.push({ bar, reason });
        continue;
      }
      valid.push(bar);
      previous = bar;
    }
    return valid;
  }
}

/** Sorted by open time, one bar per open time (the later answer wins), within [fromMs, toMs). */
function stitch(bars: readonly Bar[], fromMs: number, toMs: number): Bar[] {
  const byOpen = new Map<number, Bar>();
  for (const bar of bars) {
    if (bar.openTime >= fromMs && bar.openTime < toMs) byOpen.set(bar.openTime, makeBar(bar));
  }
  return [...byOpen.values()].sort((a, b) => a.openTime - b.openTime);
}
