// Live feed throughput: `node dist/bench/feed.js [--symbols N]`.
// A full regular session (09:30–16:00) for N symbols (default 100), driven the way the gateway delivers it:
// every symbol's tick or 5-second bar in time order, the clock moved along with the data.
import type { CancelTimer, Scheduler } from "../src/core/scheduler.js";
import { Rng } from "../src/core/rng.js";
import { LiveBarAssembler } from "../src/data/live-bar-assembler.js";
import { TickBarBuilder } from "../src/data/tick-bar-builder.js";
import { makeBar, type Bar } from "../src/model/bar.js";
import { parseTimeframe } from "../src/model/timeframe.js";

/** 2024-01-02 09:30 New York. */
const SESSION_OPEN_MS = Date.UTC(2024, 0, 2, 14, 30);
const SESSION_MS = 390 * 60_000;
const SLOTS = SESSION_MS / 5000;
const TICK_INTERVAL_MS = 500;

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

/** A clock the bench moves by hand; timers are counted, never run (buckets close by their last bar or tick). */
class BenchScheduler implements Scheduler {
  now = SESSION_OPEN_MS;
  timers = 0;

  nowMs(): number {
    return this.now;
  }

  setTimer(): CancelTimer {
    this.timers++;
    return () => undefined;
  }
}

/** Every symbol's 5-second bars, slot by slot: `bars[slot * symbols + symbolIndex]`. */
function sessionBars(symbols: readonly string[]): Bar[] {
  const rng = new Rng(7);
  const prices = symbols.map(() => 50 + rng.next() * 100);
  const bars: Bar[] = [];
  for (let slot = 0; slot < SLOTS; slot++) {
    const openTime = SESSION_OPEN_MS + slot * 5000;
    symbols.forEach((symbol, index) => {
      const open = prices[index] ?? 100;
      const close = Math.max(1, open * (1 + rng.normal() * 0.0005));
      prices[index] = close;
      bars.push(
        makeBar({
          symbol,
          openTime,
          closeTime: openTime + 5000,
          open,
          high: Math.max(open, close) * (1 + rng.next() * 0.0002),
          low: Math.min(open, close) * (1 - rng.next() * 0.0002),
          close,
          volume: Math.floor(rng.next() * 2000),
        }),
      );
    });
  }
  return bars;
}

/** Runs `pass` once to warm the JIT, then three times; returns the median seconds. */
function medianSeconds(pass: () => void): number {
  pass();
  const timings = [0, 1, 2].map(() => {
    const started = performance.now();
    pass();
    return (performance.now() - started) / 1000;
  });
  timings.sort((a, b) => a - b);
  return timings[1] ?? 0;
}

function aggregationPass(bars: readonly Bar[], symbols: readonly string[], label: string): number {
  const scheduler = new BenchScheduler();
  let closed = 0;
  const assemblers = symbols.map(
    (symbol) =>
      new LiveBarAssembler({
        symbol,
        timeframe: parseTimeframe(label),
        scheduler,
        onBar: () => closed++,
        onDropped: (_bar, reason) => {
          throw new Error(`bench bar dropped: ${reason}`);
        },
      }),
  );
  for (let index = 0; index < bars.length; index++) {
    const bar = bars[index];
    const assembler = assemblers[index % symbols.length];
    if (bar === undefined || assembler === undefined) continue;
    scheduler.now = bar.closeTime + 300;
    assembler.push(bar);
  }
  return closed;
}

function tickPass(symbols: readonly string[]): { ticks: number; bars: number } {
  const scheduler = new BenchScheduler();
  const rng = new Rng(11);
  let bars = 0;
  const builders = symbols.map(
    (symbol) => new TickBarBuilder({ symbol, scheduler, onBar: () => bars++, fillFlatBars: "always" }),
  );
  const prices = symbols.map(() => 50 + rng.next() * 100);
  const volumes = symbols.map(() => 0);
  let ticks = 0;
  for (let offsetMs = 0; offsetMs < SESSION_MS; offsetMs += TICK_INTERVAL_MS) {
    scheduler.now = SESSION_OPEN_MS + offsetMs;
    builders.forEach((builder, index) => {
      // A last-price tick, and a cumulative-volume tick every other time (IB sends them as a pair, 4 then 8).
      const price = (prices[index] ?? 100) * (1 + rng.normal() * 0.0002);
      prices[index] = price;
      builder.onPrice(price);
      ticks++;
      if ((offsetMs / TICK_INTERVAL_MS) % 2 === 0) {
        volumes[index] = (volumes[index] ?? 0) + Math.floor(rng.next() * 300);
        builder.onVolume(volumes[index] ?? 0);
        ticks++;
      }
    });
  }
  return { ticks, bars };
}

function rate(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString("en-US");
}

function main(): void {
  const symbolCount = Number(argument("--symbols", "100"));
  const symbols = Array.from({ length: symbolCount }, (_, index) => `S${String(index).padStart(3, "0")}`);
  const bars = sessionBars(symbols);

  let ticks = { ticks: 0, bars: 0 };
  const tickSeconds = medianSeconds(() => {
    ticks = tickPass(symbols);
  });
  const minuteBars = aggregationPass(bars, symbols, "1m");
  const minuteSeconds = medianSeconds(() => aggregationPass(bars, symbols, "1m"));
  const hourBars = aggregationPass(bars, symbols, "1h");
  const hourSeconds = medianSeconds(() => aggregationPass(bars, symbols, "1h"));

  console.log(`bench/feed (node ${process.version}): ${symbolCount} symbols × one session (09:30–16:00)`);
  console.log(
    `feed: ticks→5s bars (TickBarBuilder)      ${rate(ticks.ticks, tickSeconds)} ticks/s, ` +
      `${rate(ticks.bars, tickSeconds)} bars/s (${ticks.ticks.toLocaleString("en-US")} ticks → ${ticks.bars.toLocaleString("en-US")} bars)`,
  );
  console.log(
    `feed: 5s→1m aggregation+validation         ${rate(bars.length, minuteSeconds)} bars/s ` +
      `(${bars.length.toLocaleString("en-US")} → ${minuteBars.toLocaleString("en-US")} bars)`,
  );
  console.log(
    `feed: 5s→1h aggregation+validation         ${rate(bars.length, hourSeconds)} bars/s ` +
      `(${bars.length.toLocaleString("en-US")} → ${hourBars.toLocaleString("en-US")} bars)`,
  );
}

main();
