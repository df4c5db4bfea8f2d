/**
 * Test builders for bars and CSV files.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBar, type Bar } from "../../src/model/bar.js";

/** 2024-01-02 09:30 New York (14:30 UTC), a regular-session minute. */
export const SESSION_OPEN_2024_01_02 = Date.UTC(2024, 0, 2, 14, 30);

const MINUTE_MS = 60_000;

/** A frozen bar: SPY, the 2024-01-02 09:30 New York one-minute bar, OHLC 100, volume 1000, with overrides (closeTime follows an overridden openTime). */
export function aBar(overrides: Partial<Bar> = {}): Bar {
  const openTime = overrides.openTime ?? SESSION_OPEN_2024_01_02;
  return makeBar({
    symbol: "SPY",
    openTime,
    closeTime: openTime + MINUTE_MS,
    open: 100,
    high: 100,
    low: 100,
    close: 100,
    volume: 1000,
    ...overrides,
  });
}

/** Consecutive bars from whitespace-separated closes: open = previous close (the first opens at its close), high/low = max/min of open and close. */
export function barsFromCloses(
  closes: string,
  options: { readonly symbol?: string; readonly startMs?: number; readonly barSeconds?: number } = {},
): Bar[] {
  const { symbol = "SPY", startMs = SESSION_OPEN_2024_01_02, barSeconds = 60 } = options;
  const values = closes.trim().split(/\s+/).map(Number);
  const bars: Bar[] = [];
  let previousClose: number | undefined;
  values.forEach((close, index) => {
    if (!Number.isFinite(close))
      throw new Error(`barsFromCloses: '${closes}' has a value that is not a number`);
    const open = previousClose ?? close;
    const openTime = startMs + index * barSeconds * 1000;
    bars.push(
      makeBar({
        symbol,
        openTime,
        closeTime: openTime + barSeconds * 1000,
        open,
        high: Math.max(open, close),
        low: Math.min(open, close),
        close,
        volume: 1000,
      }),
    );
    previousClose = close;
  });
  return bars;
}

/** Writes `content` to a new file in a fresh temporary directory and returns its path. */
export function aTempFile(content: string | Uint8Array, name = "bars.csv"): string {
  const path = join(mkdtempSync(join(tmpdir(), "ibkr-trader-test-")), name);
  writeFileSync(path, content);
  return path;
}

/** Writes a CSV file (default header `Date,Open,High,Low,Close,Volume`, `\n` line ends) to a temp dir and returns its path. */
export function aCsvFile(rows: readonly string[], header = "Date,Open,High,Low,Close,Volume"): string {
  return aTempFile(`${[header, ...rows].join("\n")}\n`);
}
