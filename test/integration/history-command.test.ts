import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { captureIo } from "../kit/capture-io.js";

describe("ibkr-trader history", () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  function tempDir(): string {
    const directory = mkdtempSync(join(tmpdir(), "history-command-"));
    directories.push(directory);
    return directory;
  }

  const args = (csv: string) => [
    "history",
    "--source",
    "sim",
    "--symbols",
    "SPY",
    "IBM",
    "--timeframe",
    "1m",
    "--from",
    "2024-01-02",
    "--to",
    "2024-01-06",
    "--csv",
    csv,
    "--log-level",
    "silent",
  ];

  it("downloads into the cache with a summary, and a second run asks IB for nothing", async () => {
    const dataDir = tempDir();
    const csv = join(dataDir, "csv");
    const first = captureIo({ DATA_DIR: dataDir });
    expect(await runCli(args(csv), first.io)).toBe(0);
    expect(first.stdout()).toContain("SPY           1560 1m bars      4 requests      0 cache hits");
    expect(first.stdout()).toContain("history: 3120 bars, 8 requests, 0 cache hits, 0 pacing violations");
    const second = captureIo({ DATA_DIR: dataDir });
    expect(await runCli(args(csv), second.io)).toBe(0);
    expect(second.stdout()).toContain("history: 3120 bars, 0 requests, 8 cache hits, 0 pacing violations");
    const lines = readFileSync(join(csv, "IBM.csv"), "utf8").trim().split("\n");
    expect(lines[0]).toBe("Date,Open,High,Low,Close,Volume");
    expect(lines).toHaveLength(1 + 1560);
    expect(lines[1]).toMatch(/^2024-01-02T14:30:00Z,/);
  });

  it("reports an unknown symbol, still downloads the others, and exits 1", async () => {
    const dataDir = tempDir();
    const run = captureIo({ DATA_DIR: dataDir });
    const code = await runCli(
      [
        "history",
        "--source",
        "sim",
        "--symbols",
        "SPY",
        "ZZZZQ",
        "--timeframe",
        "1d",
        "--from",
        "2024-01-02",
        "--to",
        "2024-02-01",
        "--log-level",
        "silent",
      ],
      run.io,
    );
    expect(code).toBe(1);
    expect(run.stderr()).toContain('ibkr-trader: ZZZZQ: IB knows no US stock "ZZZZQ" on SMART');
    expect(run.stdout()).toContain("SPY             21 1d bars");
  });

  it("needs --from (exit 2)", async () => {
    const run = captureIo({ DATA_DIR: tempDir() });
    expect(await runCli(["history", "--source", "sim"], run.io)).toBe(2);
    expect(run.stderr()).toBe("ibkr-trader: history needs --from (fix: e.g. --from 2024-01-02)\n");
  });
});
