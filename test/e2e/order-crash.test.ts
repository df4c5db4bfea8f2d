import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewaySim, GatewaySimOptions } from "../../src/gateway-sim/gateway-sim.js";
import { StateStore } from "../../src/store/state-store.js";
import { startSim } from "../integration/ib/ib-test-kit.js";
import type { CrashPoint, WorkerOptions } from "../fixtures/order-worker.js";

const WORKER = join(import.meta.dirname, "../../dist/test/fixtures/order-worker.js");
const ACCOUNT = "DU1234567";

/** A worker process: its JSON log lines as they come, and its end. */
interface Worker {
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  kill(): void;
}

function startWorker(options: WorkerOptions): Worker {
  if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run make build (make test does it) first`);
  const child = spawn(process.execPath, [WORKER, JSON.stringify(options)], {
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    predicate: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const part of parts) {
      if (part.trim() === "") continue;
      const line = JSON.parse(part) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => {
      resolve({ code, signal });
    });
  });
  return {
    lines,
    exited,
    waitFor: (predicate) => {
      const seen = lines.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then(() => {
          reject(new Error(`worker exited before the awaited line; it printed ${JSON.stringify(lines)}`));
        });
      });
    },
    kill: () => child.kill("SIGKILL"),
  };
}

/** Polls `check` until it holds (network and child processes: no fixed sleeps). */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("kill -9 of the trading process at each step of an order's life, then a restart", () => {
  const sims: GatewaySim[] = [];
  afterEach(async () => {
    for (const sim of sims.splice(0)) await sim.stop();
  });

  async function scenario(crashAt: CrashPoint, simOptions: GatewaySimOptions = {}) {
    const { sim, port } = await startSim(simOptions);
    sims.push(sim);
    const dataDir = mkdtempSync(join(tmpdir(), "ibkr-crash-"));
    const base = { port, dataDir, clientId: 7 };
    const first = startWorker({
      ...base,
      order: { symbol: "SPY", side: "BUY", quantity: 10 },
      crashAt,
      waitForFills: true,
      holdOpen: true,
    });
    return { sim, dataDir, base, first };
  }

  /** Restarts the worker to recover, and checks one order at the broker and one fill in the ledger. */
  async function recoverAndCheck(
    sim: GatewaySim,
    dataDir: string,
    base: { port: number; dataDir: string; clientId: number },
  ) {
    const second = startWorker({ ...base, crashAt: "none", waitForFills: true });
    const summary = await second.waitFor((line) => line.event === "worker.summary");
    expect(await second.exited).toEqual({ code: 0, signal: null });
    const store = StateStore.open(join(dataDir, `state-paper-${ACCOUNT}.sqlite`), {
      mode: "paper",
      account: ACCOUNT,
    });
    try {
      const intents = store.fillsSince(0).map((stored) => stored.fill.orderId);
      expect(intents).toHaveLength(1);
      const orderId = intents[0] ?? "";
      expect(store.intent(orderId)?.status).toBe("filled");
      expect(store.unresolvedIntents()).toEqual([]);
      expect(sim.accounts.orders().filter((order) => order.orderRef === orderId)).toHaveLength(1);
      expect(sim.accounts.orders()).toHaveLength(1);
      expect(sim.accounts.executions()).toHaveLength(1);
    } finally {
      store.close();
    }
    const held = sim.accounts
      .ledger(ACCOUNT)
      .allPositions()
      .map((position) => [position.instrument.symbol, position.quantity.toString()]);
    expect(summary).toMatchObject({ positions: held, openOrders: 0, tradingState: "active" });
    expect(summary.fills).toHaveLength(1);
    return { second, summary };
  }

  it("after the intent and its IB order id are journaled, before placeOrder: sent once under a new id", async () => {
    const { sim, dataDir, base, first } = await scenario("journaled-before-send");
    expect((await first.exited).signal).toBe("SIGKILL");
    expect(sim.accounts.orders()).toEqual([]);
    const { second } = await recoverAndCheck(sim, dataDir, base);
    expect(second.lines.find((line) => line.event === "worker.reconciled")).toMatchObject({
      report: { resent: 1 },
    });
    expect(sim.accounts.orders()[0]?.orderId).toBeGreaterThan(1); // id 1 was reserved by the dead run
  });

  it("after placeOrder reached IB (filled while the process was down): the fill is booked once", async () => {
    const { sim, dataDir, base, first } = await scenario("none", { orders: { fillDelayMs: 60_000 } });
    await until(() => sim.accounts.orders().length === 1, "the order reaches the simulator");
    first.kill();
    expect((await first.exited).signal).toBe("SIGKILL");
    sim.scheduler.advanceBy(65_000);
    expect(sim.accounts.executions()).toHaveLength(1);
    const { second } = await recoverAndCheck(sim, dataDir, base);
    expect(second.lines.find((line) => line.event === "worker.reconciled")).toMatchObject({
      report: { missingFills: 1, resent: 0 },
    });
  });

  it("after IB's execution arrived but before it was stored: the restart books it once", async () => {
    const { sim, dataDir, base, first } = await scenario("before-fill-stored");
    expect((await first.exited).signal).toBe("SIGKILL");
    expect(sim.accounts.executions()).toHaveLength(1);
    const { second } = await recoverAndCheck(sim, dataDir, base);
    expect(second.lines.find((line) => line.event === "worker.reconciled")).toMatchObject({
      report: { missingFills: 1, resent: 0 },
    });
  });

  it("after the fill is booked: the restart changes nothing", async () => {
    const { sim, dataDir, base, first } = await scenario("none");
    await first.waitFor((line) => line.event === "worker.order_event" && line.type === "OrderFilled");
    first.kill();
    await first.exited;
    const { second } = await recoverAndCheck(sim, dataDir, base);
    expect(second.lines.find((line) => line.event === "worker.reconciled")).toMatchObject({
      report: { missingFills: 0, resent: 0, expired: 0 },
    });
  });
});
