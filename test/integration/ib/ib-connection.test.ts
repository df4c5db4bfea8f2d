import { afterEach, describe, expect, it } from "vitest";
import type { IbConnection } from "../../../src/adapters/ib/ib-connection.js";
import type { IbConnectionState } from "../../../src/adapters/ib/ib-connection-state.js";
import { GatewayError } from "../../../src/core/errors.js";
import { ScaledScheduler } from "../../../src/core/system-scheduler.js";
import {
  DEFAULT_RESET_WINDOW,
  DailyCycleGuard,
  parseResetWindows,
  type DailyCycleOptions,
} from "../../../src/data/daily-cycle.js";
import type { GatewaySim } from "../../../src/gateway-sim/gateway-sim.js";
import {
  connectionTo,
  IN_SESSION_MS,
  LogCapture,
  roundTrip,
  startSim,
  waitForGeneration,
  waitForState,
} from "./ib-test-kit.js";

describe("IbConnection against gateway-sim", () => {
  const sims: GatewaySim[] = [];
  const connections: IbConnection[] = [];
  afterEach(async () => {
    for (const connection of connections.splice(0)) connection.stop();
    for (const sim of sims.splice(0)) await sim.stop();
  });

  async function setUp(overrides: Parameters<typeof connectionTo>[2] = {}) {
    const { sim, port } = await startSim();
    sims.push(sim);
    const logs = new LogCapture();
    const connection = connectionTo(port, logs, overrides);
    connections.push(connection);
    return { sim, port, logs, connection };
  }

  it("becomes ready with the server version, accounts and next order id, using the fixed client id", async () => {
    const { sim, connection } = await setUp();
    const session = await connection.start();
    expect(session.serverVersion).toBeGreaterThanOrEqual(176);
    expect(session.accounts).toEqual(["DU1234567"]);
    expect(session.nextValidOrderId).toBeGreaterThanOrEqual(1);
    expect(session.clientId).toBe(7);
    expect(sim.server.connectedClientIds()).toEqual([7]);
  });

  it("logs masked account ids, never the full number", async () => {
    const { connection, logs } = await setUp();
    await connection.start();
    const text = JSON.stringify(logs.lines);
    expect(text).toContain("DU***567");
    expect(text).not.toContain("DU1234567");
  });

  it("names the fix when nothing listens on the port", async () => {
    const { sim, port, logs } = await setUp();
    await sim.stop();
    sims.length = 0;
    const connection = connectionTo(port, logs);
    connections.push(connection);
    const error = await connection.start({ retry: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("GATEWAY_UNREACHABLE");
    expect((error as GatewayError).message).toContain(
      `TWS not listening on 127.0.0.1:${port}: enable the API`,
    );
    expect(connection.state.status).toBe("stopped");
  });

  it("reports a client id clash (326) clearly after its bounded retries, and leaves the other client alone", async () => {
    const { sim, port, logs, connection } = await setUp();
    await connection.start();
    const rival = connectionTo(port, logs, { clientIdInUseRetries: 1 });
    connections.push(rival);
    const error = (await rival.start().catch((caught: unknown) => caught)) as GatewayError;
    expect(error.code).toBe("CLIENT_ID_IN_USE");
    expect(error.message).toBe(
      `client id 7 is already in use on 127.0.0.1:${port} (IB 326): stop the other API client using it, or set IBKR_CLIENT_ID to a free id`,
    );
    expect(logs.events("connection.failed").filter((line) => line.code === "CLIENT_ID_IN_USE")).toHaveLength(
      2,
    );
    expect(connection.state.status).toBe("ready");
    expect(sim.server.connectedClientIds()).toEqual([7]);
  });

  it("connects once the clashing client goes away within the retries", async () => {
    const { port, logs, connection } = await setUp();
    await connection.start();
    const rival = connectionTo(port, logs, {
      clientIdInUseRetries: 5,
      reconnectDelayMs: 100,
      maxReconnectDelayMs: 100,
    });
    connections.push(rival);
    const ready = rival.start();
    await waitForState(rival, (state) => state.status === "waiting-to-reconnect");
    connection.stop();
    const session = await ready;
    expect(session.clientId).toBe(7);
  });

  it("reconnects with the same client id after the gateway drops the socket", async () => {
    const { sim, connection, logs } = await setUp();
    await connection.start();
    const states: IbConnectionState["status"][] = [];
    const subscription = connection.state$.subscribe((state) => states.push(state.status));
    await sim.faults.dropAllConnections();
    const state = await waitForGeneration(connection, 2);
    subscription.unsubscribe();
    expect(state.status === "ready" && state.session.clientId).toBe(7);
    expect(states).toEqual(["ready", "waiting-to-reconnect", "connecting", "ready"]);
    expect(logs.events("connection.lost")).toHaveLength(1);
    expect(sim.server.connectedClientIds()).toEqual([7]);
  });

  it("keeps retrying through a Gateway restart and comes back when it listens again", async () => {
    const { sim, connection, logs } = await setUp();
    await connection.start();
    await sim.faults.restart({ downForMs: 400 });
    await waitForGeneration(connection, 2);
    expect(logs.events("connection.failed").length).toBeGreaterThanOrEqual(1);
    expect(logs.events("connection.failed").every((line) => line.code === "GATEWAY_UNREACHABLE")).toBe(true);
  });

  it("drops the socket and reconnects on 1100 (connectivity between IB and TWS lost)", async () => {
    const { sim, connection, logs } = await setUp();
    await connection.start();
    sim.faults.connectivityLost();
    await waitForGeneration(connection, 2);
    expect(logs.events("connection.lost")[0]).toMatchObject({ kind: "connectivity" });
  });

  it("treats a silent socket as a zombie: the unanswered heartbeat drops it and it reconnects", async () => {
    const { sim, connection, logs } = await setUp({ heartbeatIntervalMs: 150, heartbeatTimeoutMs: 150 });
    await connection.start();
    sim.faults.setLatencyMs(60_000);
    await waitForState(connection, (state) => state.status !== "ready");
    sim.faults.setLatencyMs(0);
    await waitForGeneration(connection, 2);
    expect(logs.events("connection.heartbeat_missed")).toHaveLength(1);
  });

  it("stops for good after the configured number of failed reconnects", async () => {
    const { sim, connection } = await setUp({ maxReconnectAttempts: 2 });
    await connection.start();
    await sim.stop();
    sims.length = 0;
    const state = await waitForState(connection, (candidate) => candidate.status === "stopped");
    expect(state.status === "stopped" && state.error?.code).toBe("GATEWAY_UNREACHABLE");
  });

  it("refuses to hand out the API while disconnected instead of letting the library queue a request", async () => {
    const { sim, connection } = await setUp({ reconnectDelayMs: 60_000, maxReconnectDelayMs: 60_000 });
    await connection.start();
    await sim.faults.dropAllConnections();
    await waitForState(connection, (state) => state.status === "waiting-to-reconnect");
    expect(() => connection.requireReady()).toThrow(
      /not connected to 127\.0\.0\.1:\d+ \(state waiting-to-reconnect\); the request was not sent/,
    );
  });

  it("ignores the library's IB_* environment variables and leaves process.env as it was", async () => {
    const { connection } = await setUp();
    const saved = { IB_PORT: process.env.IB_PORT, IB_HOST: process.env.IB_HOST };
    process.env.IB_PORT = "1";
    process.env.IB_HOST = "192.0.2.1";
    const before = { ...process.env };
    try {
      const session = await connection.start();
      expect(session.port).not.toBe(1);
      expect({ ...process.env }).toEqual(before);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) Reflect.deleteProperty(process.env, key);
        else process.env[key] = value;
      }
    }
  });
});

describe("IbConnection logs around IB's daily cycle", () => {
  /** Wednesday 2024-01-03 04:50 UTC: 23:50 in New York, inside IB's nightly reset. */
  const IN_RESET_MS = Date.UTC(2024, 0, 3, 4, 50);
  const RESET_REASON = "IB's daily reset 23:45-00:45 America/New_York (±10 min)";
  const DEBUG = 20;
  const INFO = 30;
  const WARN = 40;
  const sims: GatewaySim[] = [];
  const connections: IbConnection[] = [];
  afterEach(async () => {
    for (const connection of connections.splice(0)) connection.stop();
    for (const sim of sims.splice(0)) await sim.stop();
  });

  /** A connection whose windows are judged in the simulator's time, as the daemon does with `--source sim`. */
  async function setUp(
    startMs: number,
    cycle: Partial<DailyCycleOptions> = {},
    overrides: Parameters<typeof connectionTo>[2] = {},
  ) {
    const { sim, port } = await startSim({ clock: { mode: "manual", startMs } });
    sims.push(sim);
    const logs = new LogCapture();
    const guard = new DailyCycleGuard({
      resetWindows: parseResetWindows(DEFAULT_RESET_WINDOW),
      quietMarginMinutes: 10,
      ...cycle,
    });
    const inSimulatedTime = {
      scheduler: new ScaledScheduler({ nowMs: () => sim.clock.nowMs() }, 1),
      classifyOutage: guard.classifyOutage,
    };
    const connection = connectionTo(port, logs, { ...inSimulatedTime, ...overrides });
    connections.push(connection);
    return { sim, port, logs, connection, inSimulatedTime };
  }

  it("logs a dropped socket inside IB's reset window at info, saying why it is expected", async () => {
    const { sim, connection, logs } = await setUp(IN_RESET_MS);
    await connection.start();
    await sim.faults.dropAllConnections();
    await waitForGeneration(connection, 2);
    expect(logs.events("connection.lost")).toEqual([
      expect.objectContaining({ level: INFO, kind: "lost", expected: RESET_REASON }),
    ]);
  });

  it("raises a dropped socket outside the reset window as a warning", async () => {
    const { sim, connection, logs } = await setUp(IN_SESSION_MS);
    await connection.start();
    await sim.faults.dropAllConnections();
    await waitForGeneration(connection, 2);
    const [lost] = logs.events("connection.lost");
    expect(lost).toMatchObject({ level: WARN, kind: "lost" });
    expect(lost).not.toHaveProperty("expected");
  });

  it("logs failed reconnects around the configured Gateway restart at info", async () => {
    const { sim, connection, logs } = await setUp(Date.UTC(2024, 0, 2, 16, 0), {
      resetWindows: [],
      gatewayRestart: { time: "11:05", timeZone: "America/New_York" },
    });
    await connection.start();
    await sim.faults.restart({ downForMs: 400 });
    await waitForGeneration(connection, 2);
    const failed = logs.events("connection.failed");
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const line of failed) {
      expect(line).toMatchObject({
        level: INFO,
        code: "GATEWAY_UNREACHABLE",
        expected: "the Gateway restart at 11:05 America/New_York (±10 min)",
      });
    }
  });

  it("raises failed reconnects outside the daily cycle as warnings", async () => {
    const { sim, connection, logs } = await setUp(IN_SESSION_MS);
    await connection.start();
    await sim.faults.restart({ downForMs: 400 });
    await waitForGeneration(connection, 2);
    const failed = logs.events("connection.failed");
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.every((line) => line.level === WARN && !("expected" in line))).toBe(true);
  });

  it.each([
    ["at info, saying why, inside the reset window", IN_RESET_MS, INFO, RESET_REASON],
    ["as a warning outside the reset window", IN_SESSION_MS, WARN, undefined],
  ])("logs IB 1100 and the loss it causes %s", async (_name, startMs, level, expected) => {
    const { sim, connection, logs } = await setUp(startMs);
    await connection.start();
    sim.faults.connectivityLost();
    await waitForGeneration(connection, 2);
    const code = logs.events("ib.code").find((line) => line.code === 1100);
    expect(code).toMatchObject({ level, action: "retry" });
    expect(code?.expected).toBe(expected);
    expect(logs.events("connection.lost")[0]).toMatchObject({ level, kind: "connectivity" });
  });

  it.each([
    ["at info, saying why, inside the reset window", IN_RESET_MS, INFO, RESET_REASON],
    ["as a warning outside the reset window", IN_SESSION_MS, WARN, undefined],
  ])(
    "logs IB 1101 (restored, data lost: the feeds resubscribe) %s",
    async (_name, startMs, level, expected) => {
      const { sim, connection, logs } = await setUp(startMs);
      await connection.start();
      sim.faults.connectivityRestored({ dataLost: true });
      await roundTrip(connection);
      const code = logs.events("ib.code").find((line) => line.code === 1101);
      expect(code).toMatchObject({ level, action: "resubscribe" });
      expect(code?.expected).toBe(expected);
    },
  );

  it("leaves an IB code that is no outage at its own level inside the reset window", async () => {
    const { sim, connection, logs } = await setUp(IN_RESET_MS);
    await connection.start();
    sim.faults.connectivityRestored({ dataLost: false });
    await roundTrip(connection);
    const code = logs.events("ib.code").find((line) => line.code === 1102);
    expect(code).toMatchObject({ level: DEBUG, action: "info" });
    expect(code).not.toHaveProperty("expected");
  });

  it("keeps a client id clash a warning inside the reset window: no reset explains it", async () => {
    const { port, logs, connection, inSimulatedTime } = await setUp(IN_RESET_MS);
    await connection.start();
    const rival = connectionTo(port, logs, { ...inSimulatedTime, clientIdInUseRetries: 0 });
    connections.push(rival);
    await rival.start().catch(() => undefined);
    const clashes = logs.events("connection.failed").filter((line) => line.code === "CLIENT_ID_IN_USE");
    expect(clashes.length).toBeGreaterThanOrEqual(1);
    expect(clashes.every((line) => line.level === WARN && !("expected" in line))).toBe(true);
  });
});
