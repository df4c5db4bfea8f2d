import { IBApi, IBApiNext } from "@stoqey/ib";
import { ManualClock } from "../../../src/core/manual-clock.js";
import type { GatewaySimLogger } from "../../../src/gateway-sim/server/gateway-sim-logger.js";
import {
  GatewaySimServer,
  type GatewaySimServerOptions,
} from "../../../src/gateway-sim/server/gateway-sim-server.js";
import { IbErrorCollector } from "./ib-error-collector.js";
import { RawGatewayClient } from "./raw-gateway-client.js";
import { waitFor } from "./wait-for.js";

/** 2024-01-02 15:04:05.678 UTC: a time no wall clock will show during a test run. */
export const SIM_START_MS = Date.UTC(2024, 0, 2, 15, 4, 5, 678);

/** One line the simulator logged. */
export interface LogRecord {
  readonly level: "info" | "warn" | "debug";
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A line IBApiNext logged through its logger option. */
export interface NextLogRecord {
  readonly level: string;
  readonly tag: string;
  readonly text: string;
}

/**
 * One simulator on a free port plus every client a test opens against it; close() disconnects them all,
 * stops the server and fails the test if any client saw a decoding error.
 */
export class GatewaySimHarness {
  readonly clock = new ManualClock(SIM_START_MS);
  readonly errors = new IbErrorCollector();
  readonly logs: LogRecord[] = [];
  readonly server: GatewaySimServer;
  port = 0;
  private readonly apis: IBApi[] = [];
  private readonly nextApis: IBApiNext[] = [];
  private readonly rawClients: RawGatewayClient[] = [];

  private constructor(options: Omit<GatewaySimServerOptions, "clock" | "logger">) {
    const record =
      (level: LogRecord["level"]) =>
      (fields: Record<string, unknown>, message: string): void => {
        this.logs.push({ level, fields, message });
      };
    const logger: GatewaySimLogger = { info: record("info"), warn: record("warn"), debug: record("debug") };
    this.server = new GatewaySimServer({ ...options, clock: this.clock, logger });
  }

  /** Starts a simulator with `options` on a free loopback port. */
  static async start(
    options: Omit<GatewaySimServerOptions, "clock" | "logger"> = {},
  ): Promise<GatewaySimHarness> {
    const harness = new GatewaySimHarness(options);
    harness.port = (await harness.server.start()).port;
    return harness;
  }

  /** A new IBApi aimed at the simulator (not yet connected), with its errors recorded. */
  ibApi(name: string): IBApi {
    const api = new IBApi({ host: "127.0.0.1", port: this.port });
    this.errors.watch(api, name);
    this.apis.push(api);
    return api;
  }

  /** A new IBApiNext aimed at the simulator (not yet connected), logging into `logs`. */
  ibApiNext(name: string, logs: NextLogRecord[]): IBApiNext {
    const log =
      (level: string) =>
      (tag: string, ...args: unknown[]): void => {
        logs.push({ level, tag, text: args.map(String).join(" ") });
      };
    const api = new IBApiNext({
      host: "127.0.0.1",
      port: this.port,
      logger: { info: log("info"), warn: log("warn"), error: log("error"), debug: log("debug") },
    });
    this.errors.watchNext(api, name);
    this.nextApis.push(api);
    return api;
  }

  /** A raw TCP client connected to the simulator. */
  async raw(): Promise<RawGatewayClient> {
    const client = await RawGatewayClient.connect(this.port);
    this.rawClients.push(client);
    return client;
  }

  /** Resolves when the simulator reports `clientId` disconnected. */
  clientDisconnected(clientId: number): Promise<void> {
    return waitFor(`client ${clientId} to disconnect`, (resolve) =>
      this.server.onClientEvent((event) => {
        if (event.type === "ClientDisconnected" && event.clientId === clientId) resolve(undefined);
      }),
    );
  }

  /** Disconnects every client, stops the simulator and checks that no client saw a decoding error. */
  async close(): Promise<void> {
    for (const api of this.apis) api.disconnect();
    for (const api of this.nextApis) api.disconnect();
    for (const client of this.rawClients) client.close();
    await this.server.stop();
    this.errors.dispose();
    this.errors.expectNoDecodingErrors();
  }
}
