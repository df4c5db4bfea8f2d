import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { aCsvFile, aTempFile } from "../../test/kit/bars.js";
import { DataIntegrityError, DataNotFoundError, UsageError } from "../core/errors.js";
import type { Bar } from "../model/bar.js";
import { inspectCsv, readCsvBars, type CsvBarReaderOptions } from "./csv-bar-reader.js";

const MINUTE_DATA = fileURLToPath(new URL("../../test/fixtures/2006-min-005-head.txt", import.meta.url));
const ORCL_DATA = fileURLToPath(new URL("../../test/fixtures/orcl-1995-2014-head.txt", import.meta.url));
const DAY_MS = 86_400_000;

function read(path: string, options: Partial<CsvBarReaderOptions> = {}): Bar[] {
  return [...readCsvBars({ path, symbol: "SPY", ...options })];
}

/** The message of the error that reading the whole file throws. */
function readError(path: string, options: Partial<CsvBarReaderOptions> = {}): string {
  try {
    read(path, options);
  } catch (error: unknown) {
    if (error instanceof DataIntegrityError || error instanceof DataNotFoundError) return error.message;
    throw error;
  }
  throw new Error(`reading ${path} did not fail`);
}

describe("readCsvBars on real data files", () => {
  it("reads Date and Time columns, ignores OpenInterest and infers 5-minute bars", () => {
    const bars = read(MINUTE_DATA, { symbol: "ES" });

    expect(bars).toHaveLength(20);
    expect(bars[0]).toEqual({
      symbol: "ES",
      openTime: Date.UTC(2006, 0, 2, 9, 5),
      closeTime: Date.UTC(2006, 0, 2, 9, 10),
      open: 3578.73,
      high: 3587.88,
      low: 3578.73,
      close: 3582.99,
      volume: 0,
    });
    expect(bars[19]?.openTime).toBe(Date.UTC(2006, 0, 2, 10, 40));
  });

  it("reads Yahoo daily rows with Adj Close as midnight-to-midnight bars of the raw prices", () => {
    const bars = read(ORCL_DATA, { symbol: "ORCL" });

    expect(bars).toHaveLength(20);
    expect(bars[0]).toEqual({
      symbol: "ORCL",
      openTime: Date.UTC(1995, 0, 3),
      closeTime: Date.UTC(1995, 0, 4),
      open: 2.179012,
      high: 2.191358,
      low: 2.117284,
      close: 2.117284,
      volume: 36_301_200,
    });
  });

  it("describes a file's columns and inferred bar length", () => {
    expect(inspectCsv(MINUTE_DATA)).toEqual({
      path: MINUTE_DATA,
      columns: ["Date", "Time", "Open", "High", "Low", "Close", "Volume", "OpenInterest"],
      hasTimeColumn: true,
      hasVolume: true,
      hasAdjClose: false,
      ignoredColumns: ["OpenInterest"],
      dateOnly: false,
      sampledRows: 20,
      firstOpenTime: Date.UTC(2006, 0, 2, 9, 5),
      barSeconds: 300,
    });
    expect(inspectCsv(ORCL_DATA)).toMatchObject({ hasAdjClose: true, dateOnly: true, barSeconds: 86_400 });
  });
});

describe("readCsvBars row errors", () => {
  it("names the file, line and reason when a high is below the low", () => {
    const path = aCsvFile(["2020-01-02,10,11,9,10,100", "2020-01-03,10,9.5,10,10,100"]);
    expect(readError(path)).toBe(`${path}:3: high 9.5 is below low 10 (fix: correct or delete this row)`);
  });

  it("quotes a price that is not a number", () => {
    const path = aCsvFile(["2020-01-02,abc,11,9,10,100"]);
    expect(readError(path)).toBe(`${path}:2: open is not a number: 'abc' (fix: correct or delete this row)`);
  });

  it("rejects rows out of ascending time order, showing both timestamps", () => {
    const path = aCsvFile(["2020-01-02,10,11,9,10,100", "2020-01-01,10,11,9,10,100"]);
    expect(readError(path)).toBe(
      `${path}:3: timestamp 2020-01-01 is not after the previous row 2020-01-02 ` +
        "(fix: rows must be in ascending time order; sort the file and drop duplicate rows)",
    );
  });

  it("rejects a duplicate timestamp, showing Date and Time together", () => {
    const path = aCsvFile(
      ["2006-01-02,09:05:00,1,1,1,1,0", "2006-01-02,09:05:00,1,1,1,1,0"],
      "Date,Time,Open,High,Low,Close,Volume",
    );
    expect(readError(path)).toContain(
      `${path}:3: timestamp 2006-01-02 09:05:00 is not after the previous row 2006-01-02 09:05:00`,
    );
  });

  it("rejects a row with the wrong number of columns", () => {
    const path = aCsvFile(["2020-01-02,10,11"], "Date,Open,High,Low,Close,Adj Close,Volume");
    expect(readError(path)).toBe(
      `${path}:2: expected 7 columns, found 3 (fix: every row needs one value per header column)`,
    );
  });

  it("rejects a timestamp it cannot read, listing the accepted formats", () => {
    const path = aCsvFile(["2020-13-01,10,11,9,10,100"]);
    expect(readError(path)).toBe(
      `${path}:2: timestamp '2020-13-01' is not a valid date or time (fix: use YYYY-MM-DD, YYYYMMDD, ` +
        "an ISO 8601 date-time such as 2024-01-02T09:30:00Z, or epoch seconds/milliseconds)",
    );
  });

  it("rejects a negative volume but reads an empty one as 0", () => {
    expect(read(aCsvFile(["2020-01-02,10,11,9,10,"]))[0]?.volume).toBe(0);
    const path = aCsvFile(["2020-01-02,10,11,9,10,-5"]);
    expect(readError(path)).toBe(
      `${path}:2: volume -5 is not a finite number >= 0 (fix: correct or delete this row)`,
    );
  });

  it("rejects bars that overlap because barSeconds is longer than the row spacing", () => {
    const path = aCsvFile(["2024-01-02T14:30:00Z,1,1,1,1,0", "2024-01-02T14:31:00Z,1,1,1,1,0"]);
    expect(readError(path, { barSeconds: 300 })).toBe(
      `${path}:3: bar opens at 2024-01-02T14:31:00.000Z, before the previous SPY bar closes at ` +
        "2024-01-02T14:35:00.000Z (fix: pass a smaller barSeconds, or remove the overlapping rows)",
    );
  });

  it("counts blank lines in line numbers", () => {
    const path = aCsvFile(["", "2020-01-02,10,11,9,10,100", "", "", "2020-01-03,10,9,11,10,100"]);
    expect(readError(path)).toMatch(new RegExp(`^${path}:6: high 9 is below low 11`));
  });

  it("yields the good rows before the bad one", () => {
    const path = aCsvFile(["2020-01-02,10,11,9,10,100", "2020-01-03,10,11,9,10,100", "2020-01-06,x,1,1,1,1"]);
    const seen: number[] = [];
    expect(() => {
      for (const bar of readCsvBars({ path, symbol: "SPY", barSeconds: 86_400 })) seen.push(bar.openTime);
    }).toThrow(DataIntegrityError);
    expect(seen).toEqual([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)]);
  });
});

describe("readCsvBars header and file errors", () => {
  it("requires the Date, Open, High, Low and Close columns", () => {
    const path = aCsvFile(["2020-01-02,10,11,9,100"], "Date,Open,High,Low,Volume");
    expect(readError(path)).toBe(
      `${path}:1: the header has no 'Close' column; found 'Date,Open,High,Low,Volume' ` +
        "(fix: the first line must name the columns, e.g. Date,Open,High,Low,Close,Volume)",
    );
    expect(readError(aCsvFile([], "2020-01-02,10,11,9,10"))).toContain("the header has no 'Date' column");
  });

  it("rejects a header that names a column twice", () => {
    const path = aCsvFile(["2020-01-02,2020-01-02,1,1,1,1"], "Date,Datetime,Open,High,Low,Close");
    expect(readError(path)).toBe(
      `${path}:1: the header has two date columns: 'Date' and 'Datetime' (fix: keep only one of them)`,
    );
  });

  it("throws DataNotFoundError naming the path for a missing file, as soon as it is called", () => {
    const path = "/nonexistent/dir/bars.csv";
    expect(() => readCsvBars({ path, symbol: "SPY" })).toThrow(
      new DataNotFoundError(`data file not found: ${path} (fix: check the path and file name)`),
    );
    expect(() => inspectCsv(path)).toThrow(DataNotFoundError);
  });

  it("throws DataNotFoundError for an empty file and for a header without rows", () => {
    const empty = aTempFile("\n\n");
    expect(readError(empty)).toBe(`${empty}: the file is empty (fix: write a header line and data rows)`);
    const headerOnly = aCsvFile([]);
    expect(readError(headerOnly)).toBe(
      `${headerOnly}: no data rows after the header (fix: add rows or pick another file)`,
    );
    expect(readError(headerOnly, { barSeconds: 60 })).toContain("no data rows after the header");
  });

  it("rejects bad options with a UsageError", () => {
    const path = aCsvFile(["2020-01-02,10,11,9,10,100"]);
    expect(() => readCsvBars({ path, symbol: "SPY", barSeconds: 0 })).toThrow(UsageError);
    // @ts-expect-error -- an untyped caller (e.g. a CLI flag) passing an unknown zone
    expect(() => readCsvBars({ path, symbol: "SPY", timeZone: "Europe/London" })).toThrow(UsageError);
  });

  it("cannot infer the bar length of a single intraday row without barSeconds", () => {
    const path = aCsvFile(["2024-01-02T14:30:00Z,1,1,1,1,0"]);
    expect(readError(path)).toBe(
      `${path}: cannot infer the bar length from a single intraday row (fix: pass barSeconds)`,
    );
    expect(read(path, { barSeconds: 60 })[0]?.closeTime).toBe(Date.UTC(2024, 0, 2, 14, 31));
  });
});

describe("readCsvBars formats", () => {
  it("accepts a UTF-8 byte-order mark, CRLF line ends, blank lines and no final newline", () => {
    const text =
      "\uFEFFDate,Open,High,Low,Close,Volume\r\n2020-01-02,10,11,9,10,100\r\n\r\n2020-01-03,10,12,9,11,200";
    const bars = read(aTempFile(text));
    expect(bars.map((bar) => [bar.openTime, bar.close, bar.volume])).toEqual([
      [Date.UTC(2020, 0, 2), 10, 100],
      [Date.UTC(2020, 0, 3), 11, 200],
    ]);
  });

  it("finds columns by name in any order and case, quoted or not, and defaults Volume to 0", () => {
    const path = aCsvFile(['"1.5","3",2020-01-02,"1",x,2'], '"close","HIGH","date","low","Note",open');
    expect(read(path)).toEqual([
      {
        symbol: "SPY",
        openTime: Date.UTC(2020, 0, 2),
        closeTime: Date.UTC(2020, 0, 3),
        open: 2,
        high: 3,
        low: 1,
        close: 1.5,
        volume: 0,
      },
    ]);
  });

  it("reads epoch seconds and epoch milliseconds", () => {
    const seconds = read(aCsvFile(["1704205800,1,1,1,1,0", "1704205860,1,1,1,1,0"]));
    const millis = read(aCsvFile(["1704205800000,1,1,1,1,0", "1704205860000,1,1,1,1,0"]));
    expect(seconds.map((bar) => bar.openTime)).toEqual([
      Date.UTC(2024, 0, 2, 14, 30),
      Date.UTC(2024, 0, 2, 14, 31),
    ]);
    expect(millis).toEqual(seconds);
    expect(seconds[0]?.closeTime).toBe(Date.UTC(2024, 0, 2, 14, 31));
  });

  it("reads naive date-times as UTC by default and as New York time when asked", () => {
    const path = aCsvFile(["2024-07-01 09:30:00,1,1,1,1,0", "2024-07-01 09:31:00,1,1,1,1,0"]);
    expect(read(path)[0]?.openTime).toBe(Date.UTC(2024, 6, 1, 9, 30));
    expect(read(path, { timeZone: "America/New_York" })[0]?.openTime).toBe(Date.UTC(2024, 6, 1, 13, 30));
  });

  it("honours explicit offsets whatever the time zone option", () => {
    const path = aCsvFile(["2024-01-02T09:30:00-05:00,1,1,1,1,0", "2024-01-02T09:31:00-05:00,1,1,1,1,0"]);
    expect(read(path, { timeZone: "America/New_York" })[0]?.openTime).toBe(Date.UTC(2024, 0, 2, 14, 30));
    expect(read(path)[0]?.openTime).toBe(Date.UTC(2024, 0, 2, 14, 30));
  });

  it("reads YYYYMMDD dates", () => {
    expect(read(aCsvFile(["20240102,1,1,1,1,0"]))[0]?.openTime).toBe(Date.UTC(2024, 0, 2));
  });
});

describe("readCsvBars bar length and filtering", () => {
  it("infers one day for daily New York dates across a DST change (a 23-hour gap)", () => {
    const path = aCsvFile(["2024-03-08,1,1,1,1,0", "2024-03-11,1,1,1,1,0", "2024-03-12,1,1,1,1,0"]);
    const bars = read(path, { timeZone: "America/New_York" });
    expect(bars.map((bar) => bar.closeTime - bar.openTime)).toEqual([DAY_MS, DAY_MS, DAY_MS]);
  });

  it("infers one week for weekly rows and one day for a single date-only row", () => {
    const weekly = aCsvFile(["2024-01-01,1,1,1,1,0", "2024-01-08,1,1,1,1,0", "2024-01-15,1,1,1,1,0"]);
    expect(inspectCsv(weekly).barSeconds).toBe(604_800);
    expect(inspectCsv(aCsvFile(["2024-01-02,1,1,1,1,0"])).barSeconds).toBe(86_400);
  });

  it("infers the smallest gap among the first rows for intraday data with holes", () => {
    const path = aCsvFile([
      "2024-01-02T14:30:00Z,1,1,1,1,0",
      "2024-01-02T14:35:00Z,1,1,1,1,0",
      "2024-01-02T14:36:00Z,1,1,1,1,0",
    ]);
    expect(inspectCsv(path).barSeconds).toBe(60);
  });

  it("keeps rows with openTime in [fromMs, toMs) and stops reading at toMs", () => {
    const path = aCsvFile([
      "2024-01-02,1,1,1,1,0",
      "2024-01-03,1,1,1,1,0",
      "2024-01-04,1,1,1,1,0",
      "2024-01-05,1,1,1,1,0",
      "2024-01-08,not-a-number,1,1,1,0",
    ]);
    const bars = read(path, { fromMs: Date.UTC(2024, 0, 3), toMs: Date.UTC(2024, 0, 5) });
    expect(bars.map((bar) => bar.openTime)).toEqual([Date.UTC(2024, 0, 3), Date.UTC(2024, 0, 4)]);
  });
});

describe("readCsvBars buffering", () => {
  // Fixed-width rows (47 bytes with the newline) so the test knows which row straddles the 1 MiB buffer.
  function minuteRow(index: number, close = 100): string {
    const openTime = new Date(Date.UTC(2024, 0, 2) + index * 60_000).toISOString().replace(".000", "");
    return `${openTime},100.00,101.00,99.00,${close.toFixed(2)},1234`;
  }
  const ROW_BYTES = minuteRow(0).length + 1;
  const HEADER_BYTES = "Date,Open,High,Low,Close,Volume\n".length;
  const straddling = Math.floor((1 << 20) - HEADER_BYTES) / ROW_BYTES;

  it("streams files larger than its buffer, row for row", () => {
    const rows = Array.from({ length: 60_000 }, (_, index) => minuteRow(index, 99 + (index % 200) / 100));
    const bars = read(aCsvFile(rows), { barSeconds: 60 });
    expect(bars).toHaveLength(60_000);
    expect(bars[Math.floor(straddling)]?.openTime).toBe(
      Date.UTC(2024, 0, 2) + Math.floor(straddling) * 60_000,
    );
    expect(bars.every((bar, index) => bar.close === 99 + (index % 200) / 100)).toBe(true);
  });

  it.each([0, 1])("quotes the previous row's timestamp across a buffer refill (row offset %i)", (offset) => {
    const bad = Math.floor(straddling) + offset;
    const rows = Array.from({ length: bad + 10 }, (_, index) => minuteRow(index === bad ? bad - 1 : index));
    const path = aCsvFile(rows);
    expect(readError(path, { barSeconds: 60 })).toContain(
      `${path}:${bad + 2}: timestamp ${minuteRow(bad - 1).slice(0, 20)} is not after the previous row ${minuteRow(bad - 1).slice(0, 20)}`,
    );
  });
});
