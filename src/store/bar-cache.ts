import type Database from "better-sqlite3";
import { InvariantError, TraderError } from "../core/errors.js";
import type { HistoricalWhatToShow } from "../data/historical-request.js";
import { makeBar, type Bar } from "../model/bar.js";
import { storeFailed, type Migration, type SqliteDatabase } from "./sqlite-database.js";
import { mergeRange, subtractRanges, type TimeRange } from "./time-ranges.js";

/** One series of historical bars as IB serves it; keyed by conId, the symbol is kept for people reading the file. */
export interface BarSeries {
  readonly symbol: string;
  readonly conId: number;
  /** IB's barSizeSetting, e.g. "1 min". */
  readonly barSizeSetting: string;
  readonly whatToShow: HistoricalWhatToShow;
  readonly useRth: boolean;
}

/** What the cache holds, for the history command's summary. */
export interface BarCacheStats {
  readonly seriesCount: number;
  readonly barCount: number;
}

/** Creates the bar cache tables: series, their bars and the time ranges already fetched from IB. */
export const barCacheMigration: Migration = {
  description: "bar cache: bar_series, bars, bar_coverage",
  up: (db) => {
    db.exec(`
      CREATE TABLE bar_series (
        series_id INTEGER PRIMARY KEY,
        con_id INTEGER NOT NULL,
        bar_size TEXT NOT NULL,
        what_to_show TEXT NOT NULL,
        use_rth INTEGER NOT NULL CHECK (use_rth IN (0, 1)),
        symbol TEXT NOT NULL,
        UNIQUE (con_id, bar_size, what_to_show, use_rth)
      );
      CREATE TABLE bars (
        series_id INTEGER NOT NULL REFERENCES bar_series (series_id),
        open_time_ms INTEGER NOT NULL,
        close_time_ms INTEGER NOT NULL,
        open REAL NOT NULL,
        high REAL NOT NULL,
        low REAL NOT NULL,
        close REAL NOT NULL,
        volume REAL NOT NULL,
        PRIMARY KEY (series_id, open_time_ms)
      ) WITHOUT ROWID;
      CREATE TABLE bar_coverage (
        series_id INTEGER NOT NULL REFERENCES bar_series (series_id),
        from_ms INTEGER NOT NULL,
        to_ms INTEGER NOT NULL CHECK (to_ms > from_ms),
        PRIMARY KEY (series_id, from_ms)
      ) WITHOUT ROWID;
    `);
  },
};

/** openTime, closeTime, open, high, low, close, volume: rows are read raw, as arrays, to keep big reads fast. */
type BarRow = [number, number, number, number, number, number, number];

type SeriesKeyParams = [conId: number, barSize: string, whatToShow: string, useRth: number];

/** Bars per multi-row INSERT: one call into SQLite per 50 bars roughly halves the time of storing a chunk. */
const BAR_BATCH_ROWS = 50;

function upsertBarsSql(rows: number): string {
  const values = Array.from({ length: rows }, () => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ");
  return `INSERT INTO bars (series_id, open_time_ms, close_time_ms, open, high, low, close, volume)
    VALUES ${values}
    ON CONFLICT (series_id, open_time_ms) DO UPDATE SET close_time_ms = excluded.close_time_ms,
      open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
      volume = excluded.volume`;
}

const WRITE_FIX = "check the disk has space and DATA_DIR is writable";
const READ_FIX = "delete the file to rebuild the cache from IB";

function prepareStatements(db: SqliteDatabase) {
  const seriesWhere = "con_id = ? AND bar_size = ? AND what_to_show = ? AND use_rth = ?";
  return {
    selectSeriesId: db
      .prepare<SeriesKeyParams, number>(`SELECT series_id FROM bar_series WHERE ${seriesWhere}`)
      .pluck(),
    upsertSeries: db
      .prepare<[...SeriesKeyParams, symbol: string], number>(
        `INSERT INTO bar_series (con_id, bar_size, what_to_show, use_rth, symbol) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (con_id, bar_size, what_to_show, use_rth) DO UPDATE SET symbol = excluded.symbol
         RETURNING series_id`,
      )
      .pluck(),
    upsertBar: db.prepare(upsertBarsSql(1)),
    upsertBarBatch: db.prepare(upsertBarsSql(BAR_BATCH_ROWS)),
    // Ranges that overlap or touch [fromMs, toMs]; store() merges them all into one.
    selectTouchingCoverage: db.prepare<[seriesId: number, toMs: number, fromMs: number], TimeRange>(
      `SELECT from_ms AS fromMs, to_ms AS toMs FROM bar_coverage
       WHERE series_id = ? AND from_ms <= ? AND to_ms >= ? ORDER BY from_ms`,
    ),
    deleteTouchingCoverage: db.prepare<[seriesId: number, toMs: number, fromMs: number]>(
      "DELETE FROM bar_coverage WHERE series_id = ? AND from_ms <= ? AND to_ms >= ?",
    ),
    insertCoverage: db.prepare<[seriesId: number, fromMs: number, toMs: number]>(
      "INSERT INTO bar_coverage (series_id, from_ms, to_ms) VALUES (?, ?, ?)",
    ),
    selectOverlappingCoverage: db.prepare<[seriesId: number, toMs: number, fromMs: number], TimeRange>(
      `SELECT from_ms AS fromMs, to_ms AS toMs FROM bar_coverage
       WHERE series_id = ? AND from_ms < ? AND to_ms > ? ORDER BY from_ms`,
    ),
    selectBars: db
      .prepare<[seriesId: number, fromMs: number, toMs: number], BarRow>(
        `SELECT open_time_ms, close_time_ms, open, high, low, close, volume
         FROM bars WHERE series_id = ? AND open_time_ms >= ? AND open_time_ms < ? ORDER BY open_time_ms`,
      )
      .raw(),
    countSeries: db.prepare<[], number>("SELECT count(*) FROM bar_series").pluck(),
    countBars: db.prepare<[], number>("SELECT count(*) FROM bars").pluck(),
  };
}

type BarCacheStatements = ReturnType<typeof prepareStatements>;

/**
 * The local store of historical bars and of the time ranges already fetched from IB (including ranges that
 * held no bars), so a restart or a second backtest does not ask IB again.
 */
export class BarCache {
  private readonly sql: BarCacheStatements;
  private readonly storeTransaction: Database.Transaction<
    (series: BarSeries, coveredFromMs: number, coveredToMs: number, bars: readonly Bar[]) => void
  >;

  constructor(
    db: SqliteDatabase,
    private readonly path: string,
  ) {
    const sql = prepareStatements(db);
    this.sql = sql;
    this.storeTransaction = db.transaction(
      (series: BarSeries, coveredFromMs: number, coveredToMs: number, bars: readonly Bar[]) => {
        const seriesId = sql.upsertSeries.get(...seriesKeyParams(series), series.symbol);
        if (seriesId === undefined) throw new InvariantError("bar cache: the series upsert returned no id");
        upsertBars(sql, seriesId, bars);
        if (coveredToMs > coveredFromMs) {
          const touching = sql.selectTouchingCoverage.all(seriesId, coveredToMs, coveredFromMs);
          sql.deleteTouchingCoverage.run(seriesId, coveredToMs, coveredFromMs);
          for (const range of mergeRange(touching, { fromMs: coveredFromMs, toMs: coveredToMs })) {
            sql.insertCoverage.run(seriesId, range.fromMs, range.toMs);
          }
        }
      },
    );
  }

  /** The parts of [fromMs, toMs) not fetched from IB yet, in time order. */
  missingRanges(series: BarSeries, fromMs: number, toMs: number): TimeRange[] {
    if (toMs <= fromMs) return [];
    return this.reading(() => {
      const seriesId = this.seriesId(series);
      if (seriesId === undefined) return [{ fromMs, toMs }];
      return subtractRanges(fromMs, toMs, this.sql.selectOverlappingCoverage.all(seriesId, toMs, fromMs));
    });
  }

  /**
   * Records one answer from IB in one transaction: upserts the bars (a re-fetched bar replaces the stored
   * one), then marks [coveredFromMs, coveredToMs) as fetched, even when it held no bars.
   */
  store(series: BarSeries, coveredFromMs: number, coveredToMs: number, bars: readonly Bar[]): void {
    if (coveredToMs < coveredFromMs) {
      throw new InvariantError(
        `bar cache: covered range ends (${coveredToMs}) before it starts (${coveredFromMs})`,
      );
    }
    try {
      this.storeTransaction.immediate(series, coveredFromMs, coveredToMs, bars);
    } catch (error) {
      if (error instanceof TraderError) throw error;
      throw storeFailed("write bars to", this.path, error, WRITE_FIX);
    }
  }

  /** The stored bars with fromMs ≤ openTime < toMs, ascending, frozen, stamped with the series' symbol. */
  bars(series: BarSeries, fromMs: number, toMs: number): Bar[] {
    return this.reading(() => {
      const seriesId = this.seriesId(series);
      if (seriesId === undefined) return [];
      const bars: Bar[] = [];
      for (const [openTime, closeTime, open, high, low, close, volume] of this.sql.selectBars.iterate(
        seriesId,
        fromMs,
        toMs,
      )) {
        bars.push(makeBar({ symbol: series.symbol, openTime, closeTime, open, high, low, close, volume }));
      }
      return bars;
    });
  }

  /** How many series and bars the cache holds. */
  stats(): BarCacheStats {
    return this.reading(() => ({
      seriesCount: this.sql.countSeries.get() ?? 0,
      barCount: this.sql.countBars.get() ?? 0,
    }));
  }

  private seriesId(series: BarSeries): number | undefined {
    return this.sql.selectSeriesId.get(...seriesKeyParams(series));
  }

  private reading<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof TraderError) throw error;
      throw storeFailed("read bars from", this.path, error, READ_FIX);
    }
  }
}

function seriesKeyParams(series: BarSeries): SeriesKeyParams {
  return [series.conId, series.barSizeSetting, series.whatToShow, series.useRth ? 1 : 0];
}

/** Upserts the bars in batches of BAR_BATCH_ROWS, then one by one; a later bar with the same open time wins. */
function upsertBars(sql: BarCacheStatements, seriesId: number, bars: readonly Bar[]): void {
  const batch: number[] = [];
  let index = 0;
  for (; index + BAR_BATCH_ROWS <= bars.length; index += BAR_BATCH_ROWS) {
    batch.length = 0;
    for (let offset = 0; offset < BAR_BATCH_ROWS; offset++) pushBar(batch, seriesId, bars[index + offset]);
    sql.upsertBarBatch.run(...batch);
  }
  for (; index < bars.length; index++) {
    batch.length = 0;
    pushBar(batch, seriesId, bars[index]);
    sql.upsertBar.run(...batch);
  }
}

function pushBar(target: number[], seriesId: number, bar: Bar | undefined): void {
  if (bar === undefined) throw new InvariantError("bar cache: a bar index ran past the end of the chunk");
  target.push(seriesId, bar.openTime, bar.closeTime, bar.open, bar.high, bar.low, bar.close, bar.volume);
}
