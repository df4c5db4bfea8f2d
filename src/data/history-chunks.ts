import { InvariantError } from "../core/errors.js";
import { civilFromDays, weekdayOfDays } from "./civil-calendar.js";
import {
  historyChunkStepOf,
  ibBarSeconds,
  type HistoryChunkStep,
  type IbBarSize,
} from "./history-chunk-steps.js";
import type { HistoricalRequest, HistoricalWhatToShow } from "./historical-request.js";
import { newYorkDayNumber, newYorkLocalToUtcMs } from "./new-york-time.js";
import { sessionOfDayNumber, type TradingSession } from "./trading-session.js";

/** What to download: one contract, one bar size, the span [fromMs, toMs) of bar start times. */
export interface HistoryChunkSpec {
  readonly symbol: string;
  readonly conId: number;
  readonly exchange: string;
  readonly barSize: IbBarSize;
  /** First instant (inclusive), epoch ms UTC; rounded down to a whole second. */
  readonly fromMs: number;
  /** Last instant (exclusive), epoch ms UTC; rounded up to a whole second. */
  readonly toMs: number;
  readonly whatToShow: HistoricalWhatToShow;
  readonly useRth: boolean;
}

/** One NYSE trading day: its regular session and the trading time asked for (regular or 04:00–20:00). */
interface TradingDay {
  readonly dayNumber: number;
  readonly regular: TradingSession;
  readonly startMs: number;
  readonly endMs: number;
}

/** A span of trading time one request covers, and how it says so. */
interface Chunk {
  readonly startMs: number;
  readonly endMs: number;
  readonly durationStr: string;
}

/**
 * Splits a download into reqHistoricalData requests IB serves without complaint, in chronological order,
 * contiguous over trading time and non-overlapping; spans with no trading time get no request. Trading
 * time is the NYSE regular session (09:30–16:00 New York) with useRth, else 04:00–20:00 on trading days.
 *
 * Each request covers the bars that start in [startMs, endMs), as the gateway simulator reads IB's docs
 * (historical-window.ts): `N S` reaches exactly N seconds back from the end; `N D` reaches back to the
 * regular open of the N-th trading day counting the one of the end, so D requests always end at the close
 * of their last day. Intraday pieces are in S (at most 86,400); groups of whole days in D; day and week
 * bars, placed by their first regular open as IB stamps them, in D groups of one calendar year.
 * `endMs` is a whole second, for the adapter to send as UTC `yyyyMMdd-HH:mm:ss`.
 */
export function planHistoryChunks(spec: HistoryChunkSpec): HistoricalRequest[] {
  if (!Number.isFinite(spec.fromMs) || !Number.isFinite(spec.toMs)) {
    throw new InvariantError(`history range ${spec.fromMs}..${spec.toMs} is not finite`);
  }
  const fromMs = Math.floor(spec.fromMs / 1000) * 1000;
  const toMs = Math.ceil(spec.toMs / 1000) * 1000;
  if (fromMs >= toMs) return [];
  const step = historyChunkStepOf(spec.barSize);
  const chunks =
    step.kind === "sessions"
      ? sessionChunks(step.bar, spec.useRth, fromMs, toMs)
      : intradayChunks(step, spec.useRth, fromMs, toMs);
  const barSeconds = ibBarSeconds(spec.barSize);
  return chunks.map((chunk) => ({
    symbol: spec.symbol,
    conId: spec.conId,
    exchange: spec.exchange,
    barSizeSetting: spec.barSize,
    barSeconds,
    durationStr: chunk.durationStr,
    startMs: chunk.startMs,
    endMs: chunk.endMs,
    whatToShow: spec.whatToShow,
    useRth: spec.useRth,
  }));
}

/** The trading days of New York day numbers `firstDay`..`lastDay`. */
function tradingDays(firstDay: number, lastDay: number, useRth: boolean): TradingDay[] {
  const days: TradingDay[] = [];
  for (let dayNumber = firstDay; dayNumber <= lastDay; dayNumber++) {
    const regular = sessionOfDayNumber(dayNumber);
    if (regular === undefined) continue;
    if (useRth) {
      days.push({ dayNumber, regular, startMs: regular.openMs, endMs: regular.closeMs });
    } else {
      const { year, month, day } = civilFromDays(dayNumber);
      const startMs = newYorkLocalToUtcMs(year, month, day, 4, 0, 0);
      days.push({ dayNumber, regular, startMs, endMs: newYorkLocalToUtcMs(year, month, day, 20, 0, 0) });
    }
  }
  return days;
}

function seconds(startMs: number, endMs: number): Chunk {
  return { startMs, endMs, durationStr: `${(endMs - startMs) / 1000} S` };
}

function wholeDays(days: readonly TradingDay[], endMs: number): Chunk {
  const first = days[0];
  if (first === undefined) throw new InvariantError("a day chunk needs at least one trading day");
  return { startMs: first.startMs, endMs, durationStr: `${days.length} D` };
}

/** Bars shorter than a day: S pieces within a day, or whole days grouped into D requests. */
function intradayChunks(
  step: Exclude<HistoryChunkStep, { kind: "sessions" }>,
  useRth: boolean,
  fromMs: number,
  toMs: number,
): Chunk[] {
  const chunks: Chunk[] = [];
  let group: TradingDay[] = [];
  const flush = (): void => {
    const last = group.at(-1);
    if (last === undefined) return;
    const first = group[0] ?? last;
    chunks.push(group.length === 1 ? seconds(first.startMs, last.endMs) : wholeDays(group, last.endMs));
    group = [];
  };
  for (const day of tradingDays(newYorkDayNumber(fromMs), newYorkDayNumber(toMs - 1), useRth)) {
    const startMs = Math.max(day.startMs, fromMs);
    const endMs = Math.min(day.endMs, toMs);
    if (startMs >= endMs) continue;
    if (step.kind === "seconds") {
      // Pieces aligned to the start of the day's trading time, so plans of overlapping ranges agree.
      const pieceMs = step.maxSeconds * 1000;
      for (let pieceStartMs = startMs; pieceStartMs < endMs;) {
        const boundaryMs = day.startMs + (Math.floor((pieceStartMs - day.startMs) / pieceMs) + 1) * pieceMs;
        const pieceEndMs = Math.min(endMs, boundaryMs);
        chunks.push(seconds(pieceStartMs, pieceEndMs));
        pieceStartMs = pieceEndMs;
      }
      continue;
    }
    if (startMs !== day.startMs || endMs !== day.endMs) {
      // A partial day (the range starts or ends inside it) goes alone, in seconds.
      flush();
      chunks.push(seconds(startMs, endMs));
      continue;
    }
    const previous = group.at(-1);
    if (
      previous !== undefined &&
      (group.length >= step.maxDays || periodOf(step.period, previous) !== periodOf(step.period, day))
    ) {
      flush();
    }
    group.push(day);
  }
  flush();
  return chunks;
}

/** Which calendar week (from Monday) or month a trading day falls in; every day is in the same "none". */
function periodOf(period: "none" | "week" | "month", day: TradingDay): number {
  if (period === "none") return 0;
  if (period === "week") return mondayOf(day.dayNumber);
  const { year, month } = civilFromDays(day.dayNumber);
  return year * 12 + month;
}

function mondayOf(dayNumber: number): number {
  return dayNumber - ((weekdayOfDays(dayNumber) + 6) % 7);
}

/**
 * Day or week bars: the days whose bar starts in [fromMs, toMs) — a day bar at its regular open, a week bar
 * at the regular open of the week's first trading day — grouped by calendar year into `N D` requests that
 * end at the last day's close, or at toMs while that day is still trading.
 */
function sessionChunks(bar: "day" | "week", useRth: boolean, fromMs: number, toMs: number): Chunk[] {
  const firstDay = bar === "day" ? newYorkDayNumber(fromMs) : mondayOf(newYorkDayNumber(fromMs));
  const candidates = tradingDays(firstDay, newYorkDayNumber(toMs - 1), useRth);
  const included: { readonly day: TradingDay; readonly year: number }[] = [];
  let weekOpenMs = Number.NaN;
  let weekMonday = Number.NaN;
  for (const day of candidates) {
    if (day.regular.openMs >= toMs) break;
    if (bar === "week" && mondayOf(day.dayNumber) !== weekMonday) {
      weekMonday = mondayOf(day.dayNumber);
      weekOpenMs = day.regular.openMs;
    }
    const barOpenMs = bar === "day" ? day.regular.openMs : weekOpenMs;
    if (barOpenMs < fromMs) continue;
    included.push({ day, year: civilFromDays(newYorkDayNumber(barOpenMs)).year });
  }
  const chunks: Chunk[] = [];
  let group: TradingDay[] = [];
  let groupYear = Number.NaN;
  const flush = (): void => {
    const last = group.at(-1);
    if (last === undefined) return;
    const first = group[0] ?? last;
    chunks.push({ ...wholeDays(group, Math.min(last.endMs, toMs)), startMs: first.regular.openMs });
    group = [];
  };
  for (const { day, year } of included) {
    if (year !== groupYear) {
      flush();
      groupYear = year;
    }
    group.push(day);
  }
  flush();
  return chunks;
}
