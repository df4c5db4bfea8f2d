import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { ConfigError, InvariantError } from "../core/errors.js";
import { GatewaySim, type GatewaySimOptions } from "./gateway-sim.js";

const SESSION_MS = Date.UTC(2024, 0, 2, 15, 0);

/** Resolves with "connected" or the connect error's code. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      resolve(error.code ?? error.message);
    });
  });
}

describe("GatewaySim.create", () => {
  it.each<[string, GatewaySimOptions]>([
    ["a negative seed", { seed: -1 }],
    ["a fractional seed", { seed: 1.5 }],
    ["negative starting cash", { startingCash: -1 }],
    ["a negative first order id", { firstOrderId: -1 }],
    ["a first order id beyond a 32-bit int", { firstOrderId: 2 ** 31 }],
    ["too many synthetic instruments", { syntheticInstruments: 1_000 }],
    ["a clock speed of zero", { clock: { mode: "accelerated", speed: 0, startMs: SESSION_MS } }],
    ["a clock start that is no time", { clock: { mode: "manual", startMs: Number.NaN } }],
    ["a bad fault plan", { faultPlan: { restartEveryMs: 1_000, restartDownForMs: 2_000 } }],
    ["an account with a comma", { accounts: ["DU1,DU2"] }],
    ["an unsupported server version", { maxServerVersion: 200 }],
  ])("refuses %s with a ConfigError", (_what, options) => {
    expect(() => GatewaySim.create(options)).toThrow(ConfigError);
  });

  it("runs on a real-time clock by default", () => {
    const sim = GatewaySim.create();
    expect(sim.clock.mode).toBe("real-time");
  });

  it("models the synthetic instruments next to the built-in ones", () => {
    const sim = GatewaySim.create({
      clock: { mode: "manual", startMs: SESSION_MS },
      syntheticInstruments: 3,
    });
    expect(sim.universe.lookup("SIM003")?.conId).toBe(2_000_000_003);
    expect(sim.universe.lookup("SPY")).toBeDefined();
    expect(sim.model.quote("SIM003", SESSION_MS).bid).toBeGreaterThan(0);
  });

  it("gives the same prices for the same seed and other prices for another", () => {
    const quote = (seed: number) =>
      GatewaySim.create({ clock: { mode: "manual", startMs: SESSION_MS }, seed }).model.quote(
        "SPY",
        SESSION_MS,
      );
    expect(quote(7)).toEqual(quote(7));
    expect(quote(7).last).not.toBe(quote(8).last);
  });

  it("starts the accounts with the starting cash", () => {
    const sim = GatewaySim.create({ startingCash: 25_000 });
    expect(sim.accounts.ledger("DU1234567").cash.toNumber()).toBe(25_000);
  });
});

describe("GatewaySim lifecycle", () => {
  it("starts once on a free port, stops, and frees the port", async () => {
    const sim = GatewaySim.create();
    const { port } = await sim.start();
    expect(sim.port).toBe(port);
    await expect(sim.start()).rejects.toThrow(InvariantError);
    await sim.stop();
    await sim.stop();
    expect(await tryConnect(port)).toBe("ECONNREFUSED");
    await expect(sim.start()).rejects.toThrow(InvariantError);
  });

  it("applies the fault plan's latency when it starts", async () => {
    const sim = GatewaySim.create({ faultPlan: { latencyMs: 25 } });
    expect(sim.server.outboundLatencyMs).toBe(0);
    await sim.start();
    expect(sim.server.outboundLatencyMs).toBe(25);
    await sim.stop();
  });

  it("stops promptly during a restart's downtime and does not listen again", async () => {
    const sim = GatewaySim.create();
    const { port } = await sim.start();
    const restarted = sim.faults.restart({ downForMs: 60_000 });
    await new Promise((resolve) => setImmediate(resolve));
    await sim.stop();
    await restarted;
    expect(await tryConnect(port)).toBe("ECONNREFUSED");
  });
});
