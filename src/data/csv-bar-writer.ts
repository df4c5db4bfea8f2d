/**
 * A streaming writer of one symbol's bars as CSV (`Date,Open,High,Low,Close,Volume`, `Date` as an ISO
 * UTC date-time such as `2024-01-02T14:30:00Z`), readable back by `readCsvBars` with identical numbers.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { DataIntegrityError, TraderError } from "../core/errors.js";
import type { Bar } from "../model/bar.js";
import { DAY_MS, civilFromDays } from "./civil-calendar.js";

/** The header line `writeCsvBars` writes. */
export const CSV_BAR_HEADER = "Date,Open,High,Low,Close,Volume";

const FLUSH_CHARS = 1 << 16;
const TWO_DIGITS = Array.from({ length: 100 }, (_, value) => String(value).padStart(2, "0"));

function twoDigits(value: number): string {
  return TWO_DIGITS[value] ?? String(value);
}

function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Writes bars (all of one symbol, in time order) to a CSV file, replacing it, and returns how many
 * rows were written; bars are consumed one at a time, so any number can be streamed.
 */
export function writeCsvBars(path: string, bars: Iterable<Bar>): number {
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (error: unknown) {
    throw new TraderError("IO_FAILED", `cannot write ${path}: ${String(error)}`, { cause: error });
  }
  try {
    let chunk = `${CSV_BAR_HEADER}\n`;
    let count = 0;
    let symbol: string | undefined;
    let cachedDay = Number.NaN;
    let dayPrefix = "";
    for (const bar of bars) {
      if (symbol === undefined) symbol = bar.symbol;
      else if (bar.symbol !== symbol) {
        throw new DataIntegrityError(
          `${path}: writeCsvBars writes one symbol per file, got ${symbol} then ${bar.symbol} (fix: write each symbol to its own file)`,
        );
      }
      const openTime = bar.openTime;
      if (!Number.isFinite(openTime)) {
        throw new DataIntegrityError(`${path}: ${bar.symbol} bar has a non-finite openTime ${openTime}`);
      }
      const day = Math.floor(openTime / DAY_MS);
      if (day !== cachedDay) {
        const date = civilFromDays(day);
        dayPrefix = `${String(date.year).padStart(4, "0")}-${twoDigits(date.month)}-${twoDigits(date.day)}T`;
        cachedDay = day;
      }
      const msOfDay = openTime - day * DAY_MS;
      const seconds = Math.floor(msOfDay / 1000);
      const millis = msOfDay - seconds * 1000;
      const time =
        `${twoDigits(Math.floor(seconds / 3600))}:${twoDigits(Math.floor(seconds / 60) % 60)}:${twoDigits(seconds % 60)}` +
        (millis === 0 ? "Z" : `.${String(millis).padStart(3, "0")}Z`);
      chunk += `${dayPrefix}${time},${bar.open},${bar.high},${bar.low},${bar.close},${bar.volume}\n`;
      count++;
      if (chunk.length >= FLUSH_CHARS) {
        writeAll(fd, chunk);
        chunk = "";
      }
    }
    writeAll(fd, chunk);
    return count;
  } finally {
    closeSync(fd);
  }
}
