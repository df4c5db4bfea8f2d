/**
 * The market model: for each instrument a daily close walk (`DailyCloseWalk`) and for each session a 5-second
 * path between that day's open and close (`IntradayPath`). Everything is a pure function of (seed, symbol,
 * time), so history for any past window agrees exactly with what the live stream showed, and bars of every
 * size are exact folds of the 5-second bars. There are bars only from 09:30 to 16:00 New York on NYSE trading
 * days from 1980 to 2099. Asking for a quote at a session's open also generates and caches that session's
 * path, so a server can warm the next session before its live stream needs it.
 */
import { InvariantError } from "../../core/errors.js";
import { Rng, deriveSeed } from "../../core/rng.js";
import { newYorkDayNumber } from "../../data/new-york-time.js";
import { BarAccumulator } from "./bar-accumulator.js";
import { BarBuilder } from "./bar-builder.js";
import { barSpanOf, type BarSize } from "./bar-size.js";
import { BUILT_IN_INSTRUMENTS } from "./instrument-universe.js";
import { BARS_PER_SESSION, FIVE_SECONDS_MS, centsOfLogPrice } from "./intraday-path.js";
import type { MarketBar, WhatToShow } from "./market-bar.js";
import { halfCentShift, shiftedHalfCents } from "./quote-spread.js";
import { SessionPathStore } from "./session-path-store.js";
import type { SimInstrument } from "./sim-instrument.js";
import { latestOpenedSession, sessionDayOf } from "./trading-day-calendar.js";

/** Options of {@link MarketModel}. */
export interface MarketModelOptions {
  /** Every price, volume and quote is a pure function of this seed, the symbol and the time. */
  readonly seed: number;
  /** The instruments to model; default the built-in universe. */
  readonly instruments?: readonly SimInstrument[];
  /** Symbol-days of 5-second bars kept (about 210 KB each); default 256. */
  readonly cachedPaths?: number;
  /** Symbol-day summaries kept for day, week and month bars (a few hundred bytes each); default 200,000. */
  readonly cachedDaySummaries?: number;
}

/** A bar query: bars whose start lies in [fromMs, toMs), built from the 5-second bars that have ended by toMs. */
export interface BarRequest {
  readonly fromMs: number;
  readonly toMs: number;
  readonly barSize: BarSize;
  /** Default TRADES. */
  readonly whatToShow?: WhatToShow;
}

/** Top of book and day statistics as TWS ticks them (prices in dollars, sizes and volume in shares). */
export interface MarketQuote {
  readonly bid: number;
  readonly ask: number;
  readonly last: number;
  readonly bidSize: number;
  readonly askSize: number;
  readonly lastSize: number;
  /** Shares traded in the current (or, between sessions, the last) session so far. */
  readonly volume: number;
  readonly high: number;
  readonly low: number;
  readonly open: number;
  /** The previous session's close. */
  readonly close: number;
}

/** The simulator's deterministic market: 5-second bars, history of every bar size and quotes for each instrument. */
export class MarketModel {
  private readonly store: SessionPathStore;
  private readonly builder: BarBuilder;
  private readonly accumulator = new BarAccumulator();

  constructor(options: MarketModelOptions) {
    const {
      seed,
      instruments = BUILT_IN_INSTRUMENTS,
      cachedPaths = 256,
      cachedDaySummaries = 200_000,
    } = options;
    this.store = new SessionPathStore(seed, instruments, cachedPaths, cachedDaySummaries);
    this.builder = new BarBuilder(this.store);
  }

  /** The 5-second bar starting at `barStartMs`; undefined unless that is a 5-second boundary inside a regular session. */
  fiveSecondBar(
    symbol: string,
    barStartMs: number,
    whatToShow: WhatToShow = "TRADES",
  ): MarketBar | undefined {
    const modelled = this.store.instrument(symbol);
    if (!Number.isFinite(barStartMs) || barStartMs % FIVE_SECONDS_MS !== 0) return undefined;
    const day = sessionDayOf(newYorkDayNumber(barStartMs));
    if (day === undefined) return undefined;
    const { openMs, closeMs } = day.session;
    if (barStartMs < openMs || barStartMs >= closeMs) return undefined;
    const path = this.store.path(modelled, day, true);
    const barIndex = (barStartMs - openMs) / FIVE_SECONDS_MS;
    const shift = halfCentShift(whatToShow, path.summary.spreadCents);
    this.accumulator.reset(barStartMs);
    this.accumulator.addBars(path, barIndex, barIndex + 1, shift);
    return this.accumulator.toBar(whatToShow);
  }

  /** Bars of any IB size (see {@link BarRequest} and `BarBuilder`). */
  bars(symbol: string, request: BarRequest): readonly MarketBar[] {
    const modelled = this.store.instrument(symbol);
    const { fromMs, toMs, barSize, whatToShow = "TRADES" } = request;
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
      throw new InvariantError(`bar request window ${fromMs}…${toMs} is not finite`);
    }
    if (toMs <= fromMs) return [];
    const window = { fromMs, toMs };
    const span = barSpanOf(barSize);
    if (span.kind !== "seconds") return this.builder.sessions(modelled, window, span.kind, whatToShow);
    if (span.seconds === 1) return this.builder.seconds(modelled, window, whatToShow);
    return this.builder.intraday(modelled, window, span.seconds * 1000, whatToShow);
  }

  /** The quote at an instant, moving on the 5-second grid to each bar's close and resting at the last close between sessions. */
  quote(symbol: string, timeMs: number): MarketQuote {
    const modelled = this.store.instrument(symbol);
    const day = latestOpenedSession(timeMs);
    if (day === undefined) {
      throw new InvariantError(
        `no session opened by ${new Date(timeMs).toISOString()}: the model starts in 1980`,
      );
    }
    const path = this.store.path(modelled, day, true);
    const elapsedBars = Math.floor((timeMs - day.session.openMs) / FIVE_SECONDS_MS);
    const barsDone = Math.min(BARS_PER_SESSION, Math.max(0, elapsedBars));
    const lastCents = path.points[barsDone] ?? 0;
    const { spreadCents } = path.summary;
    const book = new Rng(deriveSeed(this.store.seed, `${symbol}/${day.dayNumber}/${barsDone}/book`));
    const lastBarVolume = barsDone > 0 ? (path.volumes[barsDone - 1] ?? 0) : 0;
    return {
      bid: shiftedHalfCents(lastCents, halfCentShift("BID", spreadCents)) / 200,
      ask: shiftedHalfCents(lastCents, halfCentShift("ASK", spreadCents)) / 200,
      last: lastCents / 100,
      bidSize: 100 * (1 + book.int(20)),
      askSize: 100 * (1 + book.int(20)),
      lastSize: lastBarVolume > 0 ? Math.min(lastBarVolume, 100 * (1 + book.int(5))) : 100,
      volume: path.cumulativeVolumes[barsDone] ?? 0,
      high: (path.runningHighs[barsDone] ?? 0) / 100,
      low: (path.runningLows[barsDone] ?? 0) / 100,
      open: (path.points[0] ?? 0) / 100,
      close: centsOfLogPrice(modelled.walk.logClose(day.index - 1)) / 100,
    };
  }
}
