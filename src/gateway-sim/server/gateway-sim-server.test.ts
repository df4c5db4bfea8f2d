import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { ConfigError, InvariantError } from "../../core/errors.js";
import { ManualClock } from "../../core/manual-clock.js";
import pino from "pino";
import type { GatewaySimLogger } from "./gateway-sim-logger.js";
import { GatewaySimServer } from "./gateway-sim-server.js";
import { OrderIdBook } from "./order-id-book.js";

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

  it("refuses both firstOrderId and an order id book", () => {
    expect(() => new GatewaySimServer({ clock, firstOrderId: 5, orderIds: new OrderIdBook(5) })).toThrow(
      ConfigError,
    );
  });

  it("refuses a negative latency", () => {
    expect(() => {
      new GatewaySimServer({ clock }).setLatencyMs(-1);
    }).toThrow(ConfigError);
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

  it("refuses connections while suspended and listens on the same port after resume", async () => {
    const server = new GatewaySimServer({ clock });
    const { port } = await server.start();
    await server.suspend();
    expect(await tryConnect(port)).toBe("ECONNREFUSED");
    expect(server.port).toBe(port);
    expect(await server.resume()).toEqual({ port });
    expect(await tryConnect(port)).toBe("connected");
    await server.stop();
    expect(server.port).toBeUndefined();
  });

  it("suspends only when listening and resumes only when suspended", async () => {
    const server = new GatewaySimServer({ clock });
    await expect(server.suspend()).rejects.toThrow(InvariantError);
    await server.start();
    await expect(server.resume()).rejects.toThrow(InvariantError);
    await server.suspend();
    await expect(server.suspend()).rejects.toThrow(InvariantError);
    await server.stop();
  });

  it("stops while suspended", async () => {
    const server = new GatewaySimServer({ clock });
    const { port } = await server.start();
    await server.suspend();
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
