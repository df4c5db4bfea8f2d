import { describe, expect, it } from "vitest";
import { ConfigError, InvariantError } from "../../core/errors.js";
import { ManualClock } from "../../core/manual-clock.js";
import pino from "pino";
import type { GatewaySimLogger } from "./gateway-sim-logger.js";
import { GatewaySimServer } from "./gateway-sim-server.js";

const clock = new ManualClock(0);

describe("GatewaySimServer options", () => {
  it.each([175, 194, 180.5])("refuses maxServerVersion %s", (maxServerVersion) => {
    expect(() => new GatewaySimServer({ clock, maxServerVersion })).toThrow(ConfigError);
  });

  it.each([[[]], [["DU1,DU2"]], [[""]], [["DUé"]]])("refuses accounts %j", (accounts) => {
    expect(() => new GatewaySimServer({ clock, accounts })).toThrow(ConfigError);
  });

  it.each([-1, 1.5, 2 ** 31])("refuses firstOrderId %s", (firstOrderId) => {
    expect(() => new GatewaySimServer({ clock, firstOrderId })).toThrow(ConfigError);
  });

  it("refuses a port outside 0..65535", () => {
    expect(() => new GatewaySimServer({ clock, port: 70_000 })).toThrow(ConfigError);
  });
});

describe("GatewaySimServer lifecycle", () => {
  it("listens on a free loopback port and releases it on stop", async () => {
    const server = new GatewaySimServer({ clock });
    const { port } = await server.start();
    expect(port).toBeGreaterThan(0);
    await expect(server.start()).rejects.toThrow(InvariantError);
    await server.stop();
    const again = new GatewaySimServer({ clock, port });
    await again.start();
    await again.stop();
  });

  it("stops without having started", async () => {
    await expect(new GatewaySimServer({ clock }).stop()).resolves.toBeUndefined();
  });
});

describe("GatewaySimServer logging", () => {
  it("accepts a pino logger", async () => {
    const logger: GatewaySimLogger = pino({ enabled: false });
    const server = new GatewaySimServer({ clock, logger });
    await server.start();
    await server.stop();
  });
});
