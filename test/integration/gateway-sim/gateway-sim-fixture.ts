import { EventName, IBApi } from "@stoqey/ib";
import { GatewaySim, type GatewaySimOptions } from "../../../src/gateway-sim/gateway-sim.js";
import type { GatewaySimLogger } from "../../../src/gateway-sim/server/gateway-sim-logger.js";
import { SIM_START_MS, type LogRecord } from "./gateway-sim-harness.js";
import { waitForNextValidId } from "./ib-api-events.js";
import { IbErrorCollector } from "./ib-error-collector.js";
import { waitFor } from "./wait-for.js";

/** One IB code an IBApi reported as `info` (ERR_MSG with id −1) or `error`, in arrival order. */
export interface ReceivedNotice {
  readonly event: "info" | "error";
  readonly code: number;
  readonly message: string;
}

/**
 * A whole GatewaySim (the facade) on a free loopback port, by default on a manual clock parked in the
 * 2024-01-02 session, plus every IBApi a test opens against it; close() disconnects them, stops the
 * simulator and fails the test if any client saw a decoding error.
 */
export class GatewaySimFixture {
  readonly errors = new IbErrorCollector();
  readonly logs: LogRecord[] = [];
  readonly sim: GatewaySim;
  port = 0;
  private readonly apis: IBApi[] = [];

  private constructor(options: Omit<GatewaySimOptions, "logger">) {
    const record =
      (level: LogRecord["level"]) =>
      (fields: Record<string, unknown>, message: string): void => {
        this.logs.push({ level, fields, message });
      };
    const logger: GatewaySimLogger = { info: record("info"), warn: record("warn"), debug: record("debug") };
    this.sim = GatewaySim.create({
      clock: { mode: "manual", startMs: SIM_START_MS },
      ...options,
      logger,
    });
  }

  /** Starts a simulator with `options` (a manual clock at SIM_START_MS unless they say otherwise). */
  static async start(options: Omit<GatewaySimOptions, "logger"> = {}): Promise<GatewaySimFixture> {
    const fixture = new GatewaySimFixture(options);
    fixture.port = (await fixture.sim.start()).port;
    return fixture;
  }

  /** A new IBApi aimed at the simulator (not yet connected), with its errors recorded. */
  ibApi(name: string): IBApi {
    const api = new IBApi({ host: "127.0.0.1", port: this.port });
    this.errors.watch(api, name);
    this.apis.push(api);
    return api;
  }

  /** A new IBApi connected as `clientId`, resolved once its first nextValidId has arrived. */
  async connect(name: string, clientId: number): Promise<{ api: IBApi; nextValidId: number }> {
    const api = this.ibApi(name);
    const nextValidId = waitForNextValidId(api);
    api.connect(clientId);
    return { api, nextValidId: await nextValidId };
  }

  /** Disconnects every client, stops the simulator and checks that no client saw a decoding error. */
  async close(): Promise<void> {
    for (const api of this.apis) if (api.isConnected) api.disconnect();
    await this.sim.stop();
    this.errors.dispose();
    this.errors.expectNoDecodingErrors();
  }
}

/** Records the `info` and `error` events of an IBApi with their IB codes, in arrival order. */
export class NoticeRecorder {
  readonly notices: ReceivedNotice[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(api: IBApi) {
    const push = (notice: ReceivedNotice): void => {
      this.notices.push(notice);
      for (const wake of [...this.waiters]) wake();
    };
    api.on(EventName.info, (message: string, code: number) => {
      push({ event: "info", code, message });
    });
    api.on(EventName.error, (error: Error, code: number) => {
      push({ event: "error", code, message: error.message });
    });
  }

  /** The codes received so far, in order. */
  codes(): number[] {
    return this.notices.map((notice) => notice.code);
  }

  /** Resolves once `count` notices with `code` have arrived. */
  until(code: number, count = 1): Promise<void> {
    return waitFor(`${count} × IB code ${code}`, (resolve) => {
      const check = (): void => {
        if (this.notices.filter((notice) => notice.code === code).length >= count) resolve(undefined);
      };
      this.waiters.add(check);
      check();
      return () => this.waiters.delete(check);
    });
  }
}
