import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { historicalWindow } from "../gateway-sim/market-data/historical-window.js";
import { parseDuration } from "../gateway-sim/market-data/historical-duration.js";
import { TIMEFRAME_LABELS, parseTimeframe } from "../model/timeframe.js";
import { historyChunkStepOf, ibBarSizeOf, IB_BAR_SIZES, type IbBarSize } from "./history-chunk-steps.js";
import { planHistoryChunks, type HistoryChunkSpec } from "./history-chunks.js";
import type { HistoricalRequest } from "./historical-request.js";
import { newYorkDayNumber, newYorkLocalToUtcMs } from "./new-york-time.js";
import { sessionOf, sessionOfDayNumber } from "./trading-session.js";

/** A New York wall-clock time as epoch ms. */
function ny(year: number, month: number, day: number, hour = 0, minute = 0): number {
  return newYorkLocalToUtcMs(year, month, day, hour, minute, 0);
}

function plan(barSize: IbBarSize, fromMs: number, toMs: number, useRth = true): HistoricalRequest[] {
  const spec: HistoryChunkSpec = {
    symbol: "AAPL",
    conId: 265598,
    exchange: "SMART",
    barSize,
    fromMs,
    toMs,
    whatToShow: "TRADES",
    useRth,
  };
  return planHistoryChunks(spec);
}

/** Each request as "end (UTC) duration". */
function summary(requests: readonly HistoricalRequest[]): string[] {
  return requests.map(
    (request) => `${new Date(request.endMs).toISOString().slice(0, 19)} ${request.durationStr}`,
  );
}

describe("ibBarSizeOf", () => {
  it("maps each of our timeframes to IB's bar size spelling", () => {
    expect(TIMEFRAME_LABELS.map((label) => ibBarSizeOf(parseTimeframe(label)))).toEqual([
      "5 secs",
      "1 min",
      "5 mins",
      "15 mins",
      "30 mins",
      "1 hour",
      "2 hours",
      "4 hours",
      "1 day",
      "1 week",
    ]);
  });
});

describe("planHistoryChunks: minute bars", () => {
  it("asks for each trading day of a holiday week once, ending at its 16:00 close, in seconds", () => {
    expect(summary(plan("1 min", ny(2024, 11, 25), ny(2024, 11, 30)))).toEqual([
      "2024-11-25T21:00:00 23400 S",
      "2024-11-26T21:00:00 23400 S",
      "2024-11-27T21:00:00 23400 S",
      "2024-11-29T21:00:00 23400 S",
    ]);
  });

  it("follows the close across the switch to daylight saving time", () => {
    expect(summary(plan("1 min", ny(2024, 3, 7), ny(2024, 3, 12)))).toEqual([
      "2024-03-07T21:00:00 23400 S",
      "2024-03-08T21:00:00 23400 S",
      "2024-03-11T20:00:00 23400 S",
    ]);
  });

  it("asks for 04:00–20:00 of each trading day without useRth, skipping the weekend", () => {
    expect(summary(plan("1 min", ny(2024, 6, 7), ny(2024, 6, 11), false))).toEqual([
      "2024-06-08T00:00:00 57600 S",
      "2024-06-11T00:00:00 57600 S",
    ]);
  });

  it("fills each request with the contract, bar size and range it covers", () => {
    const [request] = plan("1 min", ny(2024, 6, 3, 11), ny(2024, 6, 3, 12));
    expect(request).toEqual({
      symbol: "AAPL",
      conId: 265598,
      exchange: "SMART",
      barSizeSetting: "1 min",
      barSeconds: 60,
      durationStr: "3600 S",
      startMs: ny(2024, 6, 3, 11),
      endMs: ny(2024, 6, 3, 12),
      whatToShow: "TRADES",
      useRth: true,
    });
  });

  it("pairs trading days for two-minute bars", () => {
    expect(summary(plan("2 mins", ny(2024, 6, 3), ny(2024, 6, 8)))).toEqual([
      "2024-06-04T20:00:00 2 D",
      "2024-06-06T20:00:00 2 D",
      "2024-06-07T20:00:00 23400 S",
    ]);
  });
});

describe("planHistoryChunks: grouped days", () => {
  it("asks for a range starting and ending mid-session as two partial days around whole days", () => {
    expect(summary(plan("5 mins", ny(2024, 6, 3, 11), ny(2024, 6, 7, 14)))).toEqual([
      "2024-06-03T20:00:00 18000 S",
      "2024-06-06T20:00:00 3 D",
      "2024-06-07T18:00:00 16200 S",
    ]);
  });

  it("asks for one calendar week per request across a DST change, each reaching back to Monday's open", () => {
    const requests = plan("15 mins", ny(2024, 3, 4), ny(2024, 3, 16));
    expect(summary(requests)).toEqual(["2024-03-08T21:00:00 5 D", "2024-03-15T20:00:00 5 D"]);
    expect(requests.map((request) => request.startMs)).toEqual([
      ny(2024, 3, 4, 9, 30),
      ny(2024, 3, 11, 9, 30),
    ]);
  });

  it("asks for one calendar month per request for hourly bars", () => {
    expect(summary(plan("1 hour", ny(2024, 1, 29), ny(2024, 3, 1)))).toEqual([
      "2024-01-31T21:00:00 3 D",
      "2024-02-29T21:00:00 20 D",
    ]);
  });

  it("splits second bars into pieces aligned to the open, the first one starting mid-session", () => {
    expect(summary(plan("5 secs", ny(2024, 6, 3, 10, 15), ny(2024, 6, 4)))).toEqual([
      "2024-06-03T14:30:00 900 S",
      "2024-06-03T15:30:00 3600 S",
      "2024-06-03T16:30:00 3600 S",
      "2024-06-03T17:30:00 3600 S",
      "2024-06-03T18:30:00 3600 S",
      "2024-06-03T19:30:00 3600 S",
      "2024-06-03T20:00:00 1800 S",
    ]);
  });

  it("plans nothing for a range with no trading time", () => {
    expect(plan("1 min", ny(2024, 6, 8), ny(2024, 6, 10))).toEqual([]);
    expect(plan("5 mins", ny(2024, 6, 3, 16), ny(2024, 6, 4, 9, 30))).toEqual([]);
  });
});

describe("planHistoryChunks: day and week bars", () => {
  it("asks for one calendar year of trading days per request", () => {
    expect(summary(plan("1 day", ny(2023, 6, 1), ny(2025, 2, 1)))).toEqual([
      "2023-12-29T21:00:00 147 D",
      "2024-12-31T21:00:00 252 D",
      "2025-01-31T21:00:00 20 D",
    ]);
  });

  it("places a day by its open: a range from mid-session skips that day, one to mid-session ends there", () => {
    expect(summary(plan("1 day", ny(2025, 1, 27, 10), ny(2025, 1, 29, 12)))).toEqual([
      "2025-01-29T17:00:00 2 D",
    ]);
  });

  it("groups weeks by the year of their first trading day", () => {
    const requests = plan("1 week", ny(2024, 12, 23), ny(2025, 1, 14));
    expect(summary(requests)).toEqual(["2025-01-03T21:00:00 8 D", "2025-01-13T21:00:00 5 D"]);
    expect(requests.map((request) => request.startMs)).toEqual([
      ny(2024, 12, 23, 9, 30),
      ny(2025, 1, 6, 9, 30),
    ]);
  });
});

/** The trading time of the New York day of `timeMs`, regular or 04:00–20:00. */
function tradingSpan(dayNumber: number, useRth: boolean): { startMs: number; endMs: number } | undefined {
  const session = sessionOfDayNumber(dayNumber);
  if (session === undefined) return undefined;
  if (useRth) return { startMs: session.openMs, endMs: session.closeMs };
  const extendedStartMs = session.openMs - (5 * 60 + 30) * 60_000;
  return { startMs: extendedStartMs, endMs: extendedStartMs + 16 * 3_600_000 };
}

function isTradingTime(timeMs: number, useRth: boolean): boolean {
  const span = tradingSpan(newYorkDayNumber(timeMs), useRth);
  return span !== undefined && timeMs >= span.startMs && timeMs < span.endMs;
}

const INTRADAY_BAR_SIZES = IB_BAR_SIZES.filter((size) => historyChunkStepOf(size).kind !== "sessions");

describe("planHistoryChunks properties", () => {
  it("covers every trading minute of the range exactly once, each request within its duration limit", () => {
    const rangeArbitrary = fc.record({
      fromSeconds: fc.integer({ min: Date.UTC(2023, 0, 1) / 1000, max: Date.UTC(2025, 11, 1) / 1000 }),
      lengthSeconds: fc.integer({ min: 1, max: 12 * 86_400 }),
      barSize: fc.constantFrom(...INTRADAY_BAR_SIZES),
      useRth: fc.boolean(),
    });
    fc.assert(
      fc.property(rangeArbitrary, ({ fromSeconds, lengthSeconds, barSize, useRth }) => {
        const fromMs = fromSeconds * 1000;
        const toMs = fromMs + lengthSeconds * 1000;
        const requests = plan(barSize, fromMs, toMs, useRth);
        const step = historyChunkStepOf(barSize);
        let previousEndMs = fromMs;
        for (const request of requests) {
          // Chronological, non-overlapping, inside the range.
          expect(request.startMs).toBeGreaterThanOrEqual(previousEndMs);
          expect(request.endMs).toBeGreaterThan(request.startMs);
          expect(request.endMs).toBeLessThanOrEqual(toMs);
          previousEndMs = request.endMs;
          const duration = parseDuration(request.durationStr);
          expect(duration).toBeDefined();
          const { amount, unit } = duration!;
          if (unit === "S") {
            expect(request.endMs - request.startMs).toBe(amount * 1000);
            expect(amount).toBeLessThanOrEqual(step.kind === "seconds" ? step.maxSeconds : 86_400);
            // A piece lies within one day's trading time.
            expect(isTradingTime(request.startMs, useRth)).toBe(true);
            expect(isTradingTime(request.endMs - 1, useRth)).toBe(true);
            expect(newYorkDayNumber(request.startMs)).toBe(newYorkDayNumber(request.endMs - 1));
          } else {
            expect(unit).toBe("D");
            expect(step.kind).toBe("days");
            expect(amount).toBeLessThanOrEqual(step.kind === "days" ? step.maxDays : 0);
            expect(amount).toBeGreaterThanOrEqual(2);
            expect(tradingSpan(newYorkDayNumber(request.startMs), useRth)?.startMs).toBe(request.startMs);
            expect(tradingSpan(newYorkDayNumber(request.endMs - 1), useRth)?.endMs).toBe(request.endMs);
          }
          // The simulator, written from IB's docs, reads the request as reaching back to the same instant
          // (to the regular open when the request includes extended hours).
          const window = historicalWindow(duration!, request.endMs);
          const expectedFromMs =
            unit === "S" || useRth ? request.startMs : (sessionOf(request.startMs)?.openMs ?? Number.NaN);
          expect(window.fromMs).toBe(expectedFromMs);
        }
        // Every trading minute (sampled each minute from the range start) is covered.
        const uncovered: string[] = [];
        let index = 0;
        for (let timeMs = fromMs; timeMs < toMs; timeMs += 60_000) {
          while (index < requests.length && requests[index]!.endMs <= timeMs) index += 1;
          const covered = index < requests.length && requests[index]!.startMs <= timeMs;
          if (!covered && isTradingTime(timeMs, useRth)) uncovered.push(new Date(timeMs).toISOString());
        }
        expect(uncovered).toEqual([]);
        // No request is spent on a span without trading time.
        const idle = requests.filter((request) => {
          for (let timeMs = request.startMs; timeMs < request.endMs; timeMs += 60_000) {
            if (isTradingTime(timeMs, useRth)) return false;
          }
          return true;
        });
        expect(idle).toEqual([]);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("asks for every day or week bar starting in the range exactly once, as the simulator reads the requests", () => {
    const rangeArbitrary = fc.record({
      fromSeconds: fc.integer({ min: Date.UTC(2015, 0, 1) / 1000, max: Date.UTC(2025, 0, 1) / 1000 }),
      lengthSeconds: fc.integer({ min: 1, max: 900 * 86_400 }),
      barSize: fc.constantFrom<IbBarSize>("1 day", "1 week"),
      useRth: fc.boolean(),
    });
    fc.assert(
      fc.property(rangeArbitrary, ({ fromSeconds, lengthSeconds, barSize, useRth }) => {
        const fromMs = fromSeconds * 1000;
        const toMs = fromMs + lengthSeconds * 1000;
        const barStarts = (startMs: number, endMs: number): number[] =>
          barStartsOf(barSize).filter((openMs) => openMs >= startMs && openMs < endMs);
        const served = plan(barSize, fromMs, toMs, useRth).flatMap((request) => {
          const duration = parseDuration(request.durationStr)!;
          expect(duration.unit).toBe("D");
          expect(duration.amount).toBeLessThanOrEqual(365);
          expect(request.endMs).toBeLessThanOrEqual(toMs);
          return barStarts(historicalWindow(duration, request.endMs).fromMs, request.endMs);
        });
        expect(served).toEqual(barStarts(fromMs, toMs));
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});

const barStartsCache = new Map<IbBarSize, number[]>();

/** Every day bar's or week bar's start (its first regular open) from 2014 to 2028, ascending. */
function barStartsOf(barSize: IbBarSize): number[] {
  let starts = barStartsCache.get(barSize);
  if (starts === undefined) {
    starts = [];
    let lastMonday = Number.NaN;
    for (
      let dayNumber = newYorkDayNumber(Date.UTC(2014, 0, 1));
      dayNumber < newYorkDayNumber(Date.UTC(2028, 0, 1));
      dayNumber++
    ) {
      const session = sessionOfDayNumber(dayNumber);
      if (session === undefined) continue;
      const monday = dayNumber - ((new Date(session.openMs).getUTCDay() + 6) % 7);
      if (barSize === "1 day" || monday !== lastMonday) starts.push(session.openMs);
      lastMonday = monday;
    }
    barStartsCache.set(barSize, starts);
  }
  return starts;
}
