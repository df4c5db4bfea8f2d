import { describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.js";
import {
  DEFAULT_SIM_START,
  gatewaySimOptionsFromFlags,
  type GatewaySimFlags,
} from "./gateway-sim-command.js";

/** The flags commander hands over when only the defaults apply, with `overrides`. */
function flags(overrides: Partial<GatewaySimFlags> = {}): GatewaySimFlags {
  return {
    port: "4002",
    host: "127.0.0.1",
    seed: "1",
    speed: "60",
    accounts: ["DU1234567"],
    serverVersion: "193",
    syntheticInstruments: "0",
    logLevel: "info",
    ...overrides,
  };
}

describe("gatewaySimOptionsFromFlags", () => {
  it("maps the defaults to a x60 clock from the 2024-01-02 open on 127.0.0.1:4002 with no faults", () => {
    expect(gatewaySimOptionsFromFlags(flags())).toEqual({
      clock: { mode: "accelerated", speed: 60, startMs: Date.parse(DEFAULT_SIM_START) },
      seed: 1,
      syntheticInstruments: 0,
      accounts: ["DU1234567"],
      liveData: false,
      host: "127.0.0.1",
      port: 4002,
      maxServerVersion: 193,
      faultPlan: {},
    });
  });

  it.each(["0", "1"])("runs on real time with --speed %s", (speed) => {
    expect(gatewaySimOptionsFromFlags(flags({ speed })).clock).toEqual({ mode: "real-time" });
  });

  it("starts an accelerated clock at --start", () => {
    const options = gatewaySimOptionsFromFlags(flags({ speed: "600", start: "2024-03-05T15:00:00Z" }));
    expect(options.clock).toEqual({ mode: "accelerated", speed: 600, startMs: Date.UTC(2024, 2, 5, 15) });
  });

  it("maps the fault flags to a fault plan in milliseconds", () => {
    const options = gatewaySimOptionsFromFlags(
      flags({
        faultRestartEvery: "30",
        faultDownFor: "20",
        faultOrderIdRollback: "5",
        faultLatencyMs: "40",
        faultPacingViolations: "3",
      }),
    );
    expect(options.faultPlan).toEqual({
      restartEveryMs: 1_800_000,
      restartDownForMs: 20_000,
      restartRollBackOrderIdsBy: 5,
      latencyMs: 40,
      pacingViolations: 3,
    });
  });

  it("gives a scheduled restart 10 s of downtime unless told otherwise", () => {
    const options = gatewaySimOptionsFromFlags(flags({ faultRestartEvery: "1" }));
    expect(options.faultPlan).toMatchObject({ restartEveryMs: 60_000, restartDownForMs: 10_000 });
  });

  it.each<[Partial<GatewaySimFlags>, string]>([
    [{ port: "70000" }, 'bad --port "70000"'],
    [{ port: "-1" }, 'bad --port "-1"'],
    [{ port: "" }, 'bad --port ""'],
    [{ speed: "-1" }, 'bad --speed "-1"'],
    [{ speed: "fast" }, 'bad --speed "fast"'],
    [{ speed: "1", start: "2024-01-02" }, "--start sets the start of an accelerated clock"],
    [{ start: "yesterday" }, 'bad --start "yesterday"'],
    [{ accounts: ["DU1,DU2"] }, 'bad --accounts "DU1,DU2"'],
    [{ accounts: ["DU 1"] }, 'bad --accounts "DU 1"'],
    [{ seed: "1.5" }, 'bad --seed "1.5"'],
    [{ serverVersion: "175" }, 'bad --server-version "175"'],
    [{ syntheticInstruments: "1000" }, 'bad --synthetic-instruments "1000"'],
    [{ host: " " }, 'bad --host ""'],
    [{ faultRestartEvery: "0" }, 'bad --fault-restart-every "0"'],
    [{ faultDownFor: "5" }, "--fault-down-for needs --fault-restart-every"],
    [{ faultOrderIdRollback: "5" }, "--fault-order-id-rollback needs --fault-restart-every"],
    [{ faultRestartEvery: "1", faultDownFor: "60" }, "must be shorter than --fault-restart-every"],
    [{ faultLatencyMs: "-5" }, 'bad --fault-latency-ms "-5"'],
    [{ faultPacingViolations: "2.5" }, 'bad --fault-pacing-violations "2.5"'],
  ])("refuses %j with a usage error naming the flag", (overrides, message) => {
    expect(() => gatewaySimOptionsFromFlags(flags(overrides))).toThrow(UsageError);
    expect(() => gatewaySimOptionsFromFlags(flags(overrides))).toThrow(message);
  });
});
