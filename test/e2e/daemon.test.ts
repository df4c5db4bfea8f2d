import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StateStore } from "../../src/store/state-store.js";
import { MAIN, PAPER_SIM_FLAGS, until } from "./daemon-kit.js";

describe("ibkr-trader run as a process against the built-in gateway-sim (make paper's configuration)", () => {
  it("trades within a minute, serves health, readiness, metrics and status, refuses control without a token, and stops on SIGTERM with state flushed", async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run make build (make test does it) first`);
    const cwd = mkdtempSync(join(tmpdir(), "ibkr-daemon-"));
    const child = spawn(process.execPath, [MAIN, "run", ...PAPER_SIM_FLAGS], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HTTP_PORT: "0", DATA_DIR: join(cwd, "data") },
      stdio: "pipe",
    });
    const lines: Record<string, unknown>[] = [];
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const part of parts)
        if (part.trim() !== "") lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => {
        resolve(code);
      }),
    );
    try {
      const ready = await until(() => lines.find((line) => line.event === "daemon.ready"), "ready", 30_000);
      const started = lines.find((line) => line.event === "daemon.started");
      expect(started).toMatchObject({ mode: "paper", account: "DU***567", source: "sim", broker: "ibkr" });
      const url = String(ready.url);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      await until(() => lines.find((line) => line.event === "order.filled"), "a fill", 60_000);
      const readyz = await fetch(`${url}/readyz`);
      expect(readyz.status).toBe(200);
      const named = [
        "ibkr_connected 1",
        "ibkr_reconnects_total",
        'ibkr_fills_total{symbol="SPY"}',
        'ibkr_last_bar_age_seconds{symbol="SPY"}',
        "ibkr_equity",
        'ibkr_pnl{source="ours",kind="unrealized"}',
        'ibkr_pnl{source="ib",kind="unrealized"}',
        'ibkr_position{symbol="SPY",source="ib"}',
        "ibkr_ib_net_liquidation",
        'ibkr_trading_state{state="active"} 1',
        "ibkr_pacing_queue",
        "ibkr_send_queue_depth",
        "ibkr_pacing_violations_total 0",
        'ibkr_orders_denied_total{rule="order-rate"}',
        "ibkr_order_to_fill_seconds_bucket",
        "ibkr_bar_to_order_seconds_bucket",
        "nodejs_eventloop_lag_seconds",
      ];
      // IB's own figures come with its account updates (reqPnL, reqPnLSingle), a moment after the fill.
      const scrape = async (): Promise<string> => (await fetch(`${url}/metrics`)).text();
      const hasAll = (text: string): boolean => named.every((series) => text.includes(series));
      let metrics = await scrape();
      for (let tries = 0; !hasAll(metrics) && tries < 150; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        metrics = await scrape();
      }
      for (const series of named) expect(metrics).toContain(series);
      const status = (await (await fetch(`${url}/status`)).json()) as { positions: unknown[]; mode: string };
      expect(status.mode).toBe("paper");
      const pause = await fetch(`${url}/pause`, { method: "POST" });
      expect(pause.status).toBe(404);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(lines.find((line) => line.event === "daemon.stopped")).toBeDefined();
    const runs = join(cwd, "data", "sim-runs");
    const [run] = readdirSync(runs);
    const stateFile = readdirSync(join(runs, run ?? "")).find((file) => file.startsWith("state-paper-"));
    const store = StateStore.open(join(runs, run ?? "", stateFile ?? ""), {
      mode: "paper",
      account: "DU1234567",
    });
    try {
      expect(store.fillsSince(0).length).toBeGreaterThan(0);
      expect(store.loadPortfolio()).toBeDefined();
      expect(store.unresolvedIntents()).toEqual([]);
    } finally {
      store.close();
    }
  }, 120_000);
});
