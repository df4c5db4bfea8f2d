import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError, InvariantError } from "../../core/errors.js";
import { HistoricalPacingRules } from "../market-data/historical-pacing-rules.js";
import { OrderFaults } from "../orders/order-faults.js";
import { silentLogger } from "../server/gateway-sim-logger.js";
import { OrderIdBook } from "../server/order-id-book.js";
import type { TwsErrorMessage } from "../protocol/server-messages.js";
import { GatewayFaults, type GatewayFaultTargets } from "./gateway-faults.js";

/** A server stand-in that records what the faults ask of it. */
class RecordingServer {
  readonly calls: string[] = [];
  resumeFailures = 0;

  dropAllConnections(): Promise<void> {
    this.calls.push("drop");
    return Promise.resolve();
  }

  suspend(): Promise<void> {
    this.calls.push("suspend");
    return Promise.resolve();
  }

  resume(): Promise<{ port: number }> {
    if (this.resumeFailures > 0) {
      this.resumeFailures -= 1;
      this.calls.push("resume failed");
      return Promise.reject(Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE" }));
    }
    this.calls.push("resume");
    return Promise.resolve({ port: 4002 });
  }

  broadcast(notice: TwsErrorMessage): number {
    this.calls.push(`notice ${notice.code}`);
    return 1;
  }

  setLatencyMs(latencyMs: number): void {
    this.calls.push(`latency ${latencyMs}`);
  }
}

describe("GatewayFaults", () => {
  let server: RecordingServer;
  let orderIds: OrderIdBook;
  let faults: GatewayFaults;
  let targets: GatewayFaultTargets;

  beforeEach(() => {
    vi.useFakeTimers();
    server = new RecordingServer();
    orderIds = new OrderIdBook(1);
    targets = {
      server,
      orderIds,
      pacing: new HistoricalPacingRules(),
      orders: new OrderFaults(),
      logger: silentLogger,
    };
    faults = new GatewayFaults(targets);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("restart suspends, rolls the order ids back, stays down for the downtime, then resumes", async () => {
    orderIds.markUsed(7, 20);
    let done = false;
    const restarted = faults.restart({ downForMs: 1_000, rollBackOrderIdsBy: 5 }).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(server.calls).toEqual(["suspend"]);
    expect(orderIds.nextValidId(7)).toBe(16);
    expect(faults.isRestarting).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    await restarted;
    expect(done).toBe(true);
    expect(server.calls).toEqual(["suspend", "resume"]);
    expect(faults.isRestarting).toBe(false);
  });

  it("refuses a second restart while one is under way", async () => {
    const first = faults.restart({ downForMs: 100 });
    await expect(faults.restart()).rejects.toThrow(InvariantError);
    await vi.advanceTimersByTimeAsync(100);
    await first;
  });

  it("retries listening when the port is still taken", async () => {
    server.resumeFailures = 2;
    const restarted = faults.restart({ downForMs: 0 });
    await vi.advanceTimersByTimeAsync(1_000);
    await restarted;
    expect(server.calls).toEqual(["suspend", "resume failed", "resume failed", "resume"]);
  });

  it("gives up at once when listening again fails for another reason than a port in use", async () => {
    server.resume = () => Promise.reject(new InvariantError("stopped meanwhile"));
    await expect(faults.restart({ downForMs: 0 })).rejects.toThrow("stopped meanwhile");
    expect(faults.isRestarting).toBe(false);
  });

  it("does not listen again when disposed during the downtime", async () => {
    const restarted = faults.restart({ downForMs: 60_000 });
    await vi.advanceTimersByTimeAsync(10);
    faults.dispose();
    await restarted;
    expect(server.calls).toEqual(["suspend"]);
    await expect(faults.restart()).rejects.toThrow(InvariantError);
  });

  it.each([
    [{ downForMs: -1 }],
    [{ downForMs: Number.NaN }],
    [{ rollBackOrderIdsBy: 1.5 }],
    [{ rollBackOrderIdsBy: -1 }],
  ])("refuses restart options %j", async (options) => {
    await expect(faults.restart(options)).rejects.toThrow(ConfigError);
    expect(server.calls).toEqual([]);
  });

  it("farmFlap sends the OK only after the outage", async () => {
    const flap = faults.farmFlap({ farm: "historical", brokenForMs: 500 });
    expect(server.calls).toEqual(["notice 2105"]);
    await vi.advanceTimersByTimeAsync(499);
    expect(server.calls).toEqual(["notice 2105"]);
    await vi.advanceTimersByTimeAsync(1);
    await flap;
    expect(server.calls).toEqual(["notice 2105", "notice 2106"]);
  });

  it("farmFlap sends broken and OK back to back by default", async () => {
    await faults.farmFlap({ farm: "market" });
    expect(server.calls).toEqual(["notice 2103", "notice 2104"]);
  });

  it("sends 1100, and 1101 or 1102 depending on whether data was lost", () => {
    faults.connectivityLost();
    faults.connectivityRestored({ dataLost: true });
    faults.connectivityRestored({ dataLost: false });
    expect(server.calls).toEqual(["notice 1100", "notice 1101", "notice 1102"]);
  });

  it("forwards the pacing, order and latency faults", () => {
    faults.forcePacingViolations(1);
    faults.dropNextFillOrderStatus(1);
    faults.duplicateNextExecution(1);
    faults.delayFillOrderStatusMs(250);
    faults.setLatencyMs(30);
    const request = { identityKey: "a", seriesKey: "a", barSeconds: 5, whatToShow: "TRADES" };
    expect(targets.pacing.admit(request, 0)).toEqual({ admitted: false, rule: "forced" });
    expect(targets.orders.takeDroppedFillStatus()).toBe(true);
    expect(targets.orders.takeDuplicatedExecution()).toBe(true);
    expect(targets.orders.fillStatusDelayMs).toBe(250);
    expect(server.calls).toEqual(["latency 30"]);
  });
});
