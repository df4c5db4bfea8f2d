import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { EventName } from "@stoqey/ib";
import { firstValueFrom, filter, timeout } from "rxjs";
import { IbConnection, type IbConnectionOptions } from "../../../src/adapters/ib/ib-connection.js";
import type { IbConnectionState } from "../../../src/adapters/ib/ib-connection-state.js";
import { Rng } from "../../../src/core/rng.js";
import { SystemScheduler } from "../../../src/core/system-scheduler.js";
import { GatewaySim, type GatewaySimOptions } from "../../../src/gateway-sim/gateway-sim.js";

/** Tuesday 2024-01-02 15:04:05 UTC (10:04 New York): inside a regular session. */
export const IN_SESSION_MS = Date.UTC(2024, 0, 2, 15, 4, 5);

/** Log lines captured from a pino logger, parsed. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly logger: Logger;

  constructor(level = "debug") {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString("utf8").split("\n")) {
          if (line.trim() !== "") this.lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    this.logger = pino({ level }, sink);
  }

  /** Lines whose `event` field is `event`. */
  events(event: string): Record<string, unknown>[] {
    return this.lines.filter((line) => line.event === event);
  }
}

/** Starts a GatewaySim on a free loopback port (manual clock in a session unless told otherwise). */
export async function startSim(options: GatewaySimOptions = {}): Promise<{ sim: GatewaySim; port: number }> {
  const sim = GatewaySim.create({ clock: { mode: "manual", startMs: IN_SESSION_MS }, ...options });
  const { port } = await sim.start();
  return { sim, port };
}

/** An IbConnection to 127.0.0.1:`port` with fast test timings; override anything. */
export function connectionTo(
  port: number,
  logs: LogCapture,
  overrides: Partial<IbConnectionOptions> = {},
): IbConnection {
  return new IbConnection({
    host: "127.0.0.1",
    port,
    clientId: 7,
    connectTimeoutMs: 2_000,
    autoReconnect: true,
    maxReconnectAttempts: 0,
    reconnectDelayMs: 50,
    maxReconnectDelayMs: 200,
    maxRequestsPerSecond: 40,
    heartbeatIntervalMs: 10_000,
    heartbeatTimeoutMs: 5_000,
    clientIdInUseRetries: 1,
    scheduler: new SystemScheduler(),
    rng: new Rng(1),
    logger: logs.logger,
    ...overrides,
  });
}

/** Resolves with the first state matching `predicate` (fails after `timeoutMs`). */
export function waitForState(
  connection: IbConnection,
  predicate: (state: IbConnectionState) => boolean,
  timeoutMs = 5_000,
): Promise<IbConnectionState> {
  return firstValueFrom(connection.state$.pipe(filter(predicate), timeout(timeoutMs)));
}

/** Resolves once the connection is ready with a session generation of at least `generation`. */
export function waitForGeneration(
  connection: IbConnection,
  generation: number,
  timeoutMs = 5_000,
): Promise<IbConnectionState> {
  return waitForState(
    connection,
    (state) => state.status === "ready" && state.session.generation >= generation,
    timeoutMs,
  );
}

/**
 * Resolves once the gateway has answered a reqCurrentTime sent now: TWS handles a client's messages in
 * order, so everything sent before has been processed.
 */
export function roundTrip(connection: IbConnection): Promise<void> {
  return new Promise<void>((resolve) => {
    const api = connection.requireReady().api;
    api.once(EventName.currentTime, () => {
      resolve();
    });
    api.reqCurrentTime();
  });
}
