/**
 * A streaming reader of Yahoo-style OHLCV CSV files. It reads through a reusable 1 MiB buffer, scans
 * bytes for commas and newlines itself and parses numbers and dates from bytes, so it never holds more
 * than one buffer of the file and streams well over a million rows per second.
 *
 * Format: a header line is required; columns are found by name, case-insensitively: `Date` (also
 * `Datetime` or `Timestamp`), optional `Time`, `Open`, `High`, `Low`, `Close`, optional `Adj Close`
 * (recognized, not used) and optional `Volume` (0 when absent or empty); other columns are ignored.
 * Date formats are those of {@link AsciiTimestampParser}. Each row's timestamp is its bar's open time.
 * Blank lines, CRLF line ends, a UTF-8 byte-order mark and a missing final newline are accepted.
 */
import { statSync } from "node:fs";
import { DataIntegrityError, DataNotFoundError, UsageError } from "../core/errors.js";
import type { Bar } from "../model/bar.js";
import { NAIVE_TIME_ZONES, type NaiveTimeZone } from "./ascii-timestamp.js";
import { validateBar } from "./bar-validation.js";
import {
  CsvRowScanner,
  DAY_MS,
  isNodeError,
  notFound,
  OVERLAP_FIX,
  ROW_FIX,
  WEEK_MS,
} from "./csv-row-scanner.js";

/** Options of {@link readCsvBars}. */
export interface CsvBarReaderOptions {
  /** The CSV file to read. */
  readonly path: string;
  /** The symbol stamped on every bar (the file has no symbol column). */
  readonly symbol: string;
  /** Zone of naive date-times (no `Z` or offset); default "UTC". Date-only rows start at midnight in it. */
  readonly timeZone?: NaiveTimeZone;
  /** Bar length; when omitted it is inferred from the first rows (see {@link inspectCsv}). */
  readonly barSeconds?: number;
  /** Only bars with openTime >= fromMs. */
  readonly fromMs?: number;
  /** Only bars with openTime < toMs; reading stops at the first later row (rows after it are not checked). */
  readonly toMs?: number;
}

/** What {@link inspectCsv} learns from a file's header and first rows. */
export interface CsvInspection {
  readonly path: string;
  /** The header's column names as written. */
  readonly columns: readonly string[];
  readonly hasTimeColumn: boolean;
  readonly hasVolume: boolean;
  readonly hasAdjClose: boolean;
  /** Header columns the reader ignores, such as `OpenInterest`. */
  readonly ignoredColumns: readonly string[];
  /** True when the sampled rows carry dates without times of day (daily or longer bars). */
  readonly dateOnly: boolean;
  /** How many rows were sampled (at most {@link SAMPLE_ROWS}). */
  readonly sampledRows: number;
  /** Open time of the first row, UTC epoch milliseconds. */
  readonly firstOpenTime: number;
  /** The inferred bar length, or undefined when it cannot be inferred (a single intraday row). */
  readonly barSeconds: number | undefined;
}

/** How many leading rows are sampled to infer the bar length. */
export const SAMPLE_ROWS = 50;

function checkFile(path: string): void {
  try {
    if (statSync(path).isDirectory()) {
      throw new DataNotFoundError(`${path} is a directory, not a CSV file (fix: name a file inside it)`);
    }
  } catch (error: unknown) {
    if (isNodeError(error, "ENOENT", "ENOTDIR")) throw notFound(path);
    throw error;
  }
}

function checkTimeZone(timeZone: string): NaiveTimeZone {
  const known = NAIVE_TIME_ZONES.find((zone) => zone === timeZone);
  if (known === undefined) {
    throw new UsageError(`bad timeZone "${timeZone}": use one of ${NAIVE_TIME_ZONES.join(", ")}`);
  }
  return known;
}

/** The bar length implied by the smallest gap between sampled rows (date-only files snap to 1d or 1w). */
function inferBarSeconds(smallestGapMs: number, dateOnly: boolean): number | undefined {
  if (dateOnly) {
    if (!Number.isFinite(smallestGapMs)) return DAY_MS / 1000;
    // Gaps between midnights can be 23 h or 25 h across a DST change in New York time.
    if (smallestGapMs < WEEK_MS - DAY_MS / 2) return DAY_MS / 1000;
    if (smallestGapMs < 4 * WEEK_MS - DAY_MS / 2) return WEEK_MS / 1000;
    return Math.round(smallestGapMs / DAY_MS) * (DAY_MS / 1000);
  }
  return Number.isFinite(smallestGapMs) ? smallestGapMs / 1000 : undefined;
}

/**
 * Samples the first {@link SAMPLE_ROWS} rows before `toMs`: their timestamps give the bar length, and
 * rows from `fromMs` on are checked as the full read would (so errors surface in line order).
 */
function sampleCsv(path: string, timeZone: NaiveTimeZone, fromMs: number, toMs: number): CsvInspection {
  const scanner = new CsvRowScanner(path, timeZone);
  try {
    let smallestGapMs = Number.POSITIVE_INFINITY;
    let firstOpenTime = Number.NaN;
    let previousOpenTime = Number.NaN;
    let dateOnly = true;
    let rows = 0;
    while (rows < SAMPLE_ROWS && scanner.nextRow()) {
      const openTime = scanner.openTime;
      if (openTime >= toMs) break;
      if (openTime >= fromMs) {
        scanner.parseValues();
        const reason = validateBar({
          symbol: "",
          openTime,
          closeTime: openTime + 1,
          open: scanner.open,
          high: scanner.high,
          low: scanner.low,
          close: scanner.close,
          volume: scanner.volume,
        });
        if (reason !== undefined) throw scanner.rowError(reason, ROW_FIX);
      }
      if (scanner.hadTimeOfDay) dateOnly = false;
      if (rows === 0) firstOpenTime = openTime;
      else smallestGapMs = Math.min(smallestGapMs, openTime - previousOpenTime);
      previousOpenTime = openTime;
      rows++;
    }
    if (scanner.rowCount === 0) {
      throw new DataNotFoundError(
        `${path}: no data rows after the header (fix: add rows or pick another file)`,
      );
    }
    return {
      path,
      columns: scanner.columns,
      hasTimeColumn: scanner.timeColumn >= 0,
      hasVolume: scanner.volumeColumn >= 0,
      hasAdjClose: scanner.adjCloseColumn >= 0,
      ignoredColumns: scanner.columns.filter((_, column) => scanner.roles[column] === undefined),
      dateOnly,
      sampledRows: rows,
      firstOpenTime,
      barSeconds: inferBarSeconds(smallestGapMs, dateOnly),
    };
  } finally {
    scanner.release();
  }
}

/**
 * Reads a file's header and first {@link SAMPLE_ROWS} rows, checking them, and infers the bar length
 * as the smallest positive gap between their timestamps (a date-only file gives 1d, or 1w for weekly).
 */
export function inspectCsv(path: string, options: { readonly timeZone?: NaiveTimeZone } = {}): CsvInspection {
  const timeZone = checkTimeZone(options.timeZone ?? "UTC");
  checkFile(path);
  return sampleCsv(path, timeZone, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
}

function* streamBars(
  options: CsvBarReaderOptions,
  timeZone: NaiveTimeZone,
  fromMs: number,
  toMs: number,
): Generator<Bar, void, undefined> {
  const { path, symbol } = options;
  let barSeconds = options.barSeconds;
  if (barSeconds === undefined) {
    const sample = sampleCsv(path, timeZone, fromMs, toMs);
    if (sample.sampledRows === 0) return;
    barSeconds = sample.barSeconds;
    if (barSeconds === undefined) {
      throw new DataIntegrityError(
        `${path}: cannot infer the bar length from a single intraday row (fix: pass barSeconds)`,
      );
    }
  }
  const barMs = barSeconds * 1000;
  const scanner = new CsvRowScanner(path, timeZone);
  try {
    let previous: Bar | undefined;
    while (scanner.nextRow()) {
      const openTime = scanner.openTime;
      if (openTime < fromMs) continue;
      if (openTime >= toMs) return;
      scanner.parseValues();
      // Same field order as makeBar, so every bar shares one hidden class; not frozen (too slow here).
      const bar: Bar = {
        symbol,
        openTime,
        closeTime: openTime + barMs,
        open: scanner.open,
        high: scanner.high,
        low: scanner.low,
        close: scanner.close,
        volume: scanner.volume,
      };
      const reason = validateBar(bar, previous);
      if (reason !== undefined) {
        const overlaps = previous !== undefined && openTime < previous.closeTime;
        throw scanner.rowError(reason, overlaps ? OVERLAP_FIX : ROW_FIX);
      }
      previous = bar;
      yield bar;
    }
    if (scanner.rowCount === 0) {
      throw new DataNotFoundError(
        `${path}: no data rows after the header (fix: add rows or pick another file)`,
      );
    }
  } finally {
    scanner.release();
  }
}

/**
 * Streams the bars of a CSV file in file order, throwing a DataIntegrityError
 * (`path:line: reason (fix: …)`) at the first bad row and a DataNotFoundError for a missing or empty file.
 */
export function readCsvBars(options: CsvBarReaderOptions): Generator<Bar, void, undefined> {
  const timeZone = checkTimeZone(options.timeZone ?? "UTC");
  const { barSeconds, fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY } = options;
  if (barSeconds !== undefined && !(barSeconds > 0 && Number.isFinite(barSeconds))) {
    throw new UsageError(
      `bad barSeconds ${barSeconds}: use a positive number of seconds (60 for 1-minute bars)`,
    );
  }
  if (Number.isNaN(fromMs) || Number.isNaN(toMs)) {
    throw new UsageError(`bad time range: fromMs ${fromMs} and toMs ${toMs} must be numbers`);
  }
  checkFile(options.path);
  return streamBars(options, timeZone, fromMs, toMs);
}
