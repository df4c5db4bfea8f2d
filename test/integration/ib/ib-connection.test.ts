import { afterEach, describe, expect, it } from "vitest";
import type { IbConnection } from "../../../src/adapters/ib/ib-connection.js";
import type { IbConnectionState } from "../../../src/adapters/ib/ib-connection-state.js";
import { GatewayError } from "../../../src/core/errors.js";
import type { GatewaySim } from "../../../src/gateway-sim/gateway-sim.js";
import { connectionTo, LogCapture, startSim, waitForGeneration, waitForState } from "./ib-test-kit.js";

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
