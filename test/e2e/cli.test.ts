import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aCsvFile } from "../kit/bars.js";

const MAIN = join(import.meta.dirname, "../../dist/src/main.js");

function cli(args: string[], env: Record<string, string> = {}, files: Record<string, string> = {}) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run make build (make test does it) first`);
  const cwd = mkdtempSync(join(tmpdir(), "ibkr-cli-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, cwd };
}

describe("ibkr-trader as a process", () => {
  it("prints usage with --help and exits 0", () => {
    const { code, stdout } = cli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: ibkr-trader");
    expect(stdout).toContain("backtest");
    expect(stdout).toContain("gateway-sim");
  });

  it("documents every fault flag in the gateway-sim help", () => {
    const { code, stdout } = cli(["gateway-sim", "--help"]);
    expect(code).toBe(0);
    for (const flag of [
      "--fault-restart-every",
      "--fault-down-for",
      "--fault-order-id-rollback",
      "--fault-latency-ms",
      "--fault-pacing-violations",
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it("prints the package version with --version", () => {
    const { code, stdout } = cli(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("lists every shared flag in the backtest help", () => {
    const { stdout } = cli(["backtest", "--help"]);
    for (const flag of ["--symbols", "--timeframe", "--strategy", "--param", "--initial-capital", "--fees"]) {
      expect(stdout).toContain(flag);
    }
  });

  it("exits 2 with a one-line error for an unknown flag", () => {
    const { code, stderr } = cli(["backtest", "--synthetic", "10", "--frobnicate"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/error: unknown option '--frobnicate'/);
  });

  it("exits 2 naming the symbol for a bad symbol", () => {
    const { code, stderr } = cli(["backtest", "--synthetic", "10", "--symbols", "SPY", "$$"]);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain('bad symbol "$$"');
  });

  it("exits 2 for a bad timeframe, listing the allowed ones", () => {
    const { code, stderr } = cli(["backtest", "--synthetic", "10", "--timeframe", "3m"]);
    expect(code).toBe(2);
    expect(stderr).toContain('bad timeframe "3m": use one of');
  });

  it("exits 2 for a bad environment value, naming the key", () => {
    const { code, stderr } = cli(["backtest", "--synthetic", "10"], { INITIAL_CAPITAL: "lots" });
    expect(code).toBe(2);
    expect(stderr).toContain('INITIAL_CAPITAL="lots" (from environment) is invalid');
  });

  it("exits 2 with the file, line and reason for a malformed CSV row", () => {
    const path = aCsvFile(["2024-01-02,10,11,9,10.5,100", "2024-01-03,10,abc,9,10.5,100"]);
    const { code, stderr } = cli(["backtest", "--data", path, "--no-report"]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${path}:3:`);
  });

  it("runs a synthetic backtest, prints the report and writes the report files", () => {
    const reportDir = join(mkdtempSync(join(tmpdir(), "ibkr-report-")), "out");
    const { code, stdout } = cli([
      "backtest",
      "--synthetic",
      "3000",
      "--symbols",
      "SPY",
      "--timeframe",
      "5m",
      "--param",
      "fast=5",
      "--param",
      "slow=20",
      "--report-dir",
      reportDir,
      "--log-level",
      "silent",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("sma-crossover");
    expect(stdout).toMatch(/Total return/);
    expect(stdout).toMatch(/Max drawdown/);
    for (const file of ["fills.csv", "trades.csv", "summary.json", "equity.html"]) {
      expect(existsSync(join(reportDir, file))).toBe(true);
    }
    expect(readFileSync(join(reportDir, "fills.csv"), "utf8").split("\n")[0]).toBe(
      "time,symbol,side,quantity,price,commission",
    );
  });

  it("backtests a real daily CSV from the shared data set", () => {
    const data = join(import.meta.dirname, "../fixtures/orcl-1995-2014-head.txt");
    const { code, stdout } = cli([
      "backtest",
      "--data",
      data,
      "--symbols",
      "ORCL",
      "--param",
      "fast=2",
      "--param",
      "slow=5",
      "--no-report",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("1d");
    expect(stdout).toContain("ORCL");
  });

  it("keeps a daily file's own bars when only the profile sets a shorter timeframe", () => {
    const data = join(import.meta.dirname, "../fixtures/orcl-1995-2014-head.txt");
    const { code, stdout } = cli(
      [
        "backtest",
        "--data",
        data,
        "--symbols",
        "ORCL",
        "--param",
        "fast=2",
        "--param",
        "slow=5",
        "--no-report",
      ],
      {},
      { ".env.ibkr.paper": "TIMEFRAME=1h\n" },
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/Timeframe\s+│ 1d/);
  });

  it("refuses a --timeframe shorter than the data's bars", () => {
    const data = join(import.meta.dirname, "../fixtures/orcl-1995-2014-head.txt");
    const { code, stderr } = cli([
      "backtest",
      "--data",
      data,
      "--symbols",
      "ORCL",
      "--timeframe",
      "1h",
      "--no-report",
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain("--timeframe 1h is shorter than the 1d bars");
  });
});
