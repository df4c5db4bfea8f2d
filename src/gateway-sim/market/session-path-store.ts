import { InvariantError } from "../../core/errors.js";
import { DailyCloseWalk } from "./daily-close-walk.js";
import { IntradayPath, type DaySummary } from "./intraday-path.js";
import { LruCache } from "./lru-cache.js";
import type { SimInstrument } from "./sim-instrument.js";
import type { SessionDay } from "./trading-day-calendar.js";

/** One modelled instrument: its parameters, its daily closes and its number in the store's cache keys. */
export interface ModelledInstrument {
  readonly key: number;
  readonly instrument: SimInstrument;
  readonly walk: DailyCloseWalk;
}

/** Anchor-relative trading indices lie within ±2^16 (1980–2099), so a symbol-day fits one number. */
const INDEX_SPAN = 1 << 17;
const INDEX_OFFSET = 1 << 16;

/**
 * Where the market model's sessions come from: each instrument's daily close walk, an LRU of generated
 * 5-second paths, and an LRU of session summaries (every generated path leaves its summary behind, so long
 * daily histories never need a path twice).
 */
export class SessionPathStore {
  readonly seed: number;
  private readonly instruments = new Map<string, ModelledInstrument>();
  private readonly paths: LruCache<number, IntradayPath>;
  private readonly summaries: LruCache<number, DaySummary>;
  private readonly scratchPath = new IntradayPath();

  constructor(
    seed: number,
    instruments: readonly SimInstrument[],
    cachedPaths: number,
    cachedDaySummaries: number,
  ) {
    if (!Number.isInteger(seed)) throw new InvariantError(`market model seed ${seed} is not an integer`);
    this.seed = seed;
    this.paths = new LruCache(cachedPaths);
    this.summaries = new LruCache(cachedDaySummaries);
    for (const instrument of instruments) {
      const { symbol, startPrice, annualVolatility } = instrument;
      const walk = new DailyCloseWalk(seed, symbol, startPrice, annualVolatility);
      this.instruments.set(symbol, { key: this.instruments.size, instrument, walk });
    }
  }

  /** The modelled instrument with a symbol; an unknown symbol is a caller's bug (contracts resolve through the universe first). */
  instrument(symbol: string): ModelledInstrument {
    const modelled = this.instruments.get(symbol);
    if (modelled === undefined) {
      throw new InvariantError(
        `market model has no instrument ${symbol}: resolve contracts through the universe first`,
      );
    }
    return modelled;
  }

  /**
   * A session's 5-second path: from the cache, else generated into the cache, or (`cache` false, for long
   * history requests that must not evict the live stream's days) into a scratch path the next call reuses.
   */
  path(modelled: ModelledInstrument, day: SessionDay, cache: boolean): IntradayPath {
    const key = this.key(modelled, day);
    const cached = this.paths.get(key);
    if (cached !== undefined) return cached;
    const path = cache ? new IntradayPath() : this.scratchPath;
    path.generate({
      seed: this.seed,
      symbol: modelled.instrument.symbol,
      dayNumber: day.dayNumber,
      previousLogClose: modelled.walk.logClose(day.index - 1),
      logClose: modelled.walk.logClose(day.index),
      dailyVolatility: modelled.walk.dailyVolatility,
      averageDailyVolume: modelled.instrument.averageDailyVolume,
    });
    if (cache) this.paths.set(key, path);
    this.summaries.set(key, path.summary);
    return path;
  }

  /** A whole session's totals, generating its path (uncached) only when no summary is kept. */
  summary(modelled: ModelledInstrument, day: SessionDay): DaySummary {
    return this.summaries.get(this.key(modelled, day)) ?? this.path(modelled, day, false).summary;
  }

  private key(modelled: ModelledInstrument, day: SessionDay): number {
    return modelled.key * INDEX_SPAN + day.index + INDEX_OFFSET;
  }
}
