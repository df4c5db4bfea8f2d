import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const MAIN = join(import.meta.dirname, "../../dist/src/main.js");

function cli(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run make build (make test does it) first`);
  const cwd = mkdtempSync(join(tmpdir(), "ibkr-gateway-cli-"));
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, cwd };
}

describe("check and history as processes against the built-in gateway-sim", () => {
  it("lists check and history in --help", () => {
    const { stdout } = cli(["--help"]);
    expect(stdout).toContain("check");
    expect(stdout).toContain("history");
  });

  it("check --source sim passes all five steps and exits 0, writing nothing to stderr", () => {
    const { code, stdout, stderr } = cli(["check", "--source", "sim"]);
    expect(stdout.match(/^PASS {2}/gm)).toHaveLength(5);
    expect(stdout.trim().split("\n").at(-1)).toBe("check: all 5 checks passed");
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("history --source sim fills the cache under DATA_DIR and writes CSVs a backtest reads", () => {
    const first = cli([
      "history",
      "--source",
      "sim",
      "--symbols",
      "SPY",
      "--timeframe",
      "1h",
      "--from",
      "2024-01-02",
      "--to",
      "2024-02-01",
      "--csv",
      "bars",
    ]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("SPY            147 1h bars");
    expect(existsSync(join(first.cwd, "data", "market-data.sqlite"))).toBe(true);
    const csv = readFileSync(join(first.cwd, "bars", "SPY.csv"), "utf8")
      .trim()
      .split("\n");
    expect(csv).toHaveLength(148);
    const backtest = spawnSync(
      process.execPath,
      [
        MAIN,
        "backtest",
        "--data",
        "bars/SPY.csv",
        "--symbols",
        "SPY",
        "--no-report",
        "--param",
        "fast=3",
        "--param",
        "slow=8",
      ],
      { cwd: first.cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "" }, timeout: 60_000 },
    );
    expect(backtest.stderr).not.toContain("ibkr-trader:");
    expect(backtest.status).toBe(0);
    expect(backtest.stdout).toContain("SPY");
  });
});
