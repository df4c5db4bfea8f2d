/**
 * bench/bar-cache: the SQLite bar cache under a year and a half of 1-minute bars — storing 1,000,000 bars in
 * chunks of 400 (one history answer each), reading them all back, reading a 100,000-bar slice, and finding
 * the missing ranges of the whole span. Prints `bar-cache: <figure> <value>` lines.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBar, type Bar } from "../src/model/bar.js";
import { MarketDataStore } from "../src/store/market-data-store.js";

const BARS = 1_000_000;
const CHUNK = 400;
const START_MS = Date.UTC(2020, 0, 1);
const MINUTE_MS = 60_000;

function syntheticBars(): Bar[] {
  const bars: Bar[] = [];
  for (let index = 0; index < BARS; index++) {
    const openTime = START_MS + index * MINUTE_MS;
    const close = 100 + Math.sin(index / 100);
    bars.push(
      makeBar({
        symbol: "SPY",
        openTime,
        closeTime: openTime + MINUTE_MS,
        open: close,
        high: close + 0.1,
        low: close - 0.1,
        close,
        volume: 1000 + (index % 500),
      }),
    );
  }
  return bars;
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

const directory = mkdtempSync(join(tmpdir(), "bench-bar-cache-"));
const path = join(directory, "market-data.sqlite");
const series = {
  symbol: "SPY",
  conId: 756733,
  barSizeSetting: "1 min",
  whatToShow: "TRADES" as const,
  useRth: false,
};
try {
  const bars = syntheticBars();
  const store = MarketDataStore.open(path);
  const stored = timed(() => {
    for (let index = 0; index < BARS; index += CHUNK) {
      const chunk = bars.slice(index, index + CHUNK);
      const first = chunk[0];
      const last = chunk.at(-1);
      if (first !== undefined && last !== undefined)
        store.bars.store(series, first.openTime, last.closeTime, chunk);
    }
  });
  const endMs = START_MS + BARS * MINUTE_MS;
  const all = timed(() => store.bars.bars(series, START_MS, endMs));
  const slice = timed(() =>
    store.bars.bars(series, START_MS + 500_000 * MINUTE_MS, START_MS + 600_000 * MINUTE_MS),
  );
  const missing = timed(() => store.bars.missingRanges(series, START_MS - MINUTE_MS, endMs + MINUTE_MS));
  store.close();
  console.log(
    `bar-cache: store ${BARS} bars in chunks of ${CHUNK}  ${stored.ms.toFixed(0)} ms (${((BARS / stored.ms) * 1000).toFixed(0)} bars/s)`,
  );
  console.log(
    `bar-cache: read ${all.value.length} bars  ${all.ms.toFixed(0)} ms (${((all.value.length / all.ms) * 1000).toFixed(0)} bars/s)`,
  );
  console.log(`bar-cache: read a ${slice.value.length}-bar slice  ${slice.ms.toFixed(0)} ms`);
  console.log(
    `bar-cache: missing ranges over the span (${missing.value.length} found)  ${missing.ms.toFixed(2)} ms`,
  );
  console.log(`bar-cache: file size  ${(statSync(path).size / 1e6).toFixed(1)} MB`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
