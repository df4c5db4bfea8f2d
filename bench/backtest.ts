// Backtest throughput and memory: `node dist/bench/backtest.js [--bars N]`.
// Each measurement runs in its own child process so its peak RSS is its own.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import { BacktestRunner } from "../src/app/backtest-runner.js";
import { writeCsvBars } from "../src/data/csv-bar-writer.js";
import { readCsvBars } from "../src/data/csv-bar-reader.js";
import { generateSyntheticBars } from "../src/data/synthetic-bar-source.js";
import type { Bar } from "../src/model/bar.js";
import { createFeeModel } from "../src/portfolio/create-fee-model.js";
import { buildBacktestReport } from "../src/report/backtest-report.js";
import { writeBacktestReport } from "../src/report/report-writer.js";
import { StrategyRegistry } from "../src/strategy/strategy-registry.js";

const START_MS = Date.UTC(2020, 0, 2);
const SEED = 1;

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function runOnce(bars: Iterable<Bar>) {
  const strategy = await new StrategyRegistry().load("sma", { fast: "10", slow: "30" }, { symbols: ["SPY"] });
  return new BacktestRunner().run({
    bars,
    strategy,
    initialCapital: new Decimal(100_000),
    feeModel: createFeeModel("fixed"),
    slippageBps: 1,
  });
}

interface Figures {
  readonly bars: number;
  readonly seconds: number;
  readonly barsPerSecond: number;
  readonly fills: number;
  readonly peakRssMiB: number;
  readonly detail?: string;
}

async function measureEngine(count: number): Promise<Figures> {
  const bars = [...generateSyntheticBars({ symbols: ["SPY"], seed: SEED, startMs: START_MS, count })];
  // The first full pass runs while the JIT is still compiling; later passes are the steady state of a
  // long run. Report the first and the median of three later ones.
  const timings: number[] = [];
  let result = await runOnce(bars);
  for (let pass = 0; pass < 4; pass++) {
    const started = performance.now();
    result = await runOnce(bars);
    timings.push((performance.now() - started) / 1000);
  }
  const first = timings[0] ?? 0;
  const steady = timings.slice(1).sort((a, b) => a - b)[1] ?? first;
  return {
    bars: result.stats.bars,
    seconds: steady,
    barsPerSecond: result.stats.bars / steady,
    fills: result.fills.length,
    peakRssMiB: peakRssMiB(),
    detail: `first pass after a warm-up run ${Math.round(result.stats.bars / first).toLocaleString("en-US")} bars/s`,
  };
}

async function measureCsv(path: string): Promise<Figures> {
  const started = performance.now();
  const result = await runOnce(readCsvBars({ path, symbol: "SPY", barSeconds: 60 }));
  const runSeconds = (performance.now() - started) / 1000;
  const report = buildBacktestReport({
    meta: {
      strategy: "sma-crossover",
      params: { fast: 10, slow: 30 },
      symbols: ["SPY"],
      timeframe: "1m",
      feeModel: "fixed",
    },
    fills: result.fills,
    equityCurve: result.equityCurve.toArrays(),
    initialCapital: new Decimal(100_000),
    finalEquity: result.portfolio.equity(),
    totalCommissions: result.portfolio.totalCommissions(),
    barsWithPosition: result.stats.timestampsWithPosition,
    totalBars: result.stats.timestamps,
  });
  const reportDir = mkdtempSync(join(tmpdir(), "bench-report-"));
  writeBacktestReport(reportDir, report);
  rmSync(reportDir, { recursive: true, force: true });
  const seconds = (performance.now() - started) / 1000;
  return {
    bars: result.stats.bars,
    seconds,
    barsPerSecond: result.stats.bars / seconds,
    fills: result.fills.length,
    peakRssMiB: peakRssMiB(),
    detail: `read+engine ${(result.stats.bars / runSeconds).toFixed(0)} bars/s; report ${(seconds - runSeconds).toFixed(2)} s`,
  };
}

function child(mode: string, extra: string[]): Figures {
  const result = spawnSync(process.execPath, [process.argv[1] ?? "", "--child", mode, ...extra], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (result.status !== 0) throw new Error(`bench child ${mode} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Figures;
}

async function main(): Promise<void> {
  const mode = argument("--child", "");
  const count = Number(argument("--bars", "1000000"));
  if (mode === "engine") {
    process.stdout.write(JSON.stringify(await measureEngine(count)));
    return;
  }
  if (mode === "csv") {
    process.stdout.write(JSON.stringify(await measureCsv(argument("--path", ""))));
    return;
  }

  const directory = mkdtempSync(join(tmpdir(), "bench-backtest-"));
  const path = join(directory, "spy-1m.csv");
  const generateStarted = performance.now();
  writeCsvBars(path, generateSyntheticBars({ symbols: ["SPY"], seed: SEED, startMs: START_MS, count }));
  const generateSeconds = (performance.now() - generateStarted) / 1000;
  const sizeMiB = statSync(path).size / 1024 / 1024;

  const engine = child("engine", ["--bars", String(count)]);
  // Each CSV run is a fresh process (cold JIT, as a user's backtest is); take the median of three.
  const csvRuns = [0, 1, 2].map(() => child("csv", ["--path", path]));
  csvRuns.sort((a, b) => a.barsPerSecond - b.barsPerSecond);
  const csv = csvRuns[1] ?? csvRuns[0];
  if (csv === undefined) throw new Error("no CSV run");
  rmSync(directory, { recursive: true, force: true });

  const rows: [string, string][] = [
    ["bars (1m, synthetic, SMA 10/30, fixed fees)", String(count)],
    ["fills", String(engine.fills)],
    [
      "engine only (bars in memory), steady",
      `${Math.round(engine.barsPerSecond).toLocaleString("en-US")} bars/s`,
    ],
    ["engine only, detail", engine.detail ?? ""],
    ["engine only: peak RSS (incl. 1M bars held)", `${engine.peakRssMiB.toFixed(0)} MiB`],
    [
      "end to end from CSV (stream, run, report)",
      `${Math.round(csv.barsPerSecond).toLocaleString("en-US")} bars/s`,
    ],
    ["end to end from CSV: peak RSS", `${csv.peakRssMiB.toFixed(0)} MiB`],
    ["end to end detail", csv.detail ?? ""],
    ["CSV size / write time", `${sizeMiB.toFixed(0)} MiB / ${generateSeconds.toFixed(2)} s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(`bench/backtest (node ${process.version})\n`);
  for (const [name, value] of rows) process.stdout.write(`  ${name.padEnd(width)}  ${value}\n`);
}

await main();
