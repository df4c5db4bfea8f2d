import { ConfigError, InvariantError } from "../../core/errors.js";
import type { HistoricalPacingRules } from "../market-data/historical-pacing-rules.js";
import type { OrderFaults } from "../orders/order-faults.js";
import type { GatewaySimLogger } from "../server/gateway-sim-logger.js";
import type { GatewaySimServer } from "../server/gateway-sim-server.js";
import type { OrderIdBook } from "../server/order-id-book.js";
import { CONNECTIVITY_NOTICES } from "../server/session-notices.js";

/** The parts of a simulator the faults act on. */
export interface GatewayFaultTargets {
  readonly server: Pick<
    GatewaySimServer,
    "dropAllConnections" | "suspend" | "resume" | "broadcast" | "setLatencyMs"
  >;
  /** The book NEXT_VALID_ID is read from (shared with the order simulator). */
  readonly orderIds: OrderIdBook;
  readonly pacing: HistoricalPacingRules;
  readonly orders: OrderFaults;
  readonly logger: GatewaySimLogger;
}

/** How a restart goes. */
export interface RestartOptions {
  /** Wall milliseconds the gateway refuses connections (ECONNREFUSED); default 0. */
  readonly downForMs?: number;
  /** How far every client id's next valid order id drops, as after Lean issue #242's restart; default 0. */
  readonly rollBackOrderIdsBy?: number;
}

/** Which data farm flaps: top of book ("market", 2103/2104) or historical data ("historical", 2105/2106). */
export type DataFarm = "market" | "historical";

/** How a farm flaps. */
export interface FarmFlapOptions {
  readonly farm: DataFarm;
  /** Wall milliseconds between "broken" and "OK"; default 0 (one right after the other). */
  readonly brokenForMs?: number;
}

/** How often, and how long apart, a restart tries to listen again when the port is not free yet. */
const RELISTEN_ATTEMPTS = 20;
const RELISTEN_PAUSE_MS = 250;

/**
 * Fault injection for one simulator, the same from tests (in-process) and from the CLI's fault schedule:
 * dropped connections, a Gateway restart with downtime and rolled-back order ids, connectivity and farm
 * notices (ibkr-facts.md §4), forced pacing violations (162), fill report faults and message latency.
 * Each fault is logged at info as `fault injected`.
 */
export class GatewayFaults {
  private readonly targets: GatewayFaultTargets;
  private readonly waits = new Set<{ timer: NodeJS.Timeout; finish: () => void }>();
  private restarting = false;
  private disposed = false;

  constructor(targets: GatewayFaultTargets) {
    this.targets = targets;
  }

  /** Whether a restart's downtime is under way. */
  get isRestarting(): boolean {
    return this.restarting;
  }

  /** Drops every client connection at once; clients see their socket close. */
  async dropAllConnections(): Promise<void> {
    this.log({ fault: "dropAllConnections" });
    await this.targets.server.dropAllConnections();
  }

  /**
   * Restarts the Gateway: drops every connection, refuses connects for `downForMs` of wall time, rolls
   * every client id's next valid order id back by `rollBackOrderIdsBy`, then listens on the same port
   * again. Resolves once clients can connect again (or at once, without listening, if disposed meanwhile).
   */
  async restart(options: RestartOptions = {}): Promise<void> {
    const downForMs = options.downForMs ?? 0;
    const rollBackBy = options.rollBackOrderIdsBy ?? 0;
    if (!(downForMs >= 0) || !Number.isFinite(downForMs)) {
      throw new ConfigError(`restart downtime ${downForMs} ms must be a finite number >= 0`);
    }
    if (!Number.isInteger(rollBackBy) || rollBackBy < 0) {
      throw new ConfigError(`order id rollback ${rollBackBy} must be a whole number >= 0`);
    }
    if (this.restarting) throw new InvariantError("a gateway-sim restart is already under way");
    this.assertLive();
    this.restarting = true;
    try {
      this.log({ fault: "restart", downForMs, rollBackOrderIdsBy: rollBackBy });
      await this.targets.server.suspend();
      this.targets.orderIds.rollBack(rollBackBy);
      await this.wait(downForMs);
      await this.listenAgain();
    } finally {
      this.restarting = false;
    }
  }

  /** 1100 "Connectivity between IB and Trader Workstation has been lost." to every connected client. */
  connectivityLost(): number {
    this.log({ fault: "connectivityLost" });
    return this.targets.server.broadcast(CONNECTIVITY_NOTICES.connectivityLost);
  }

  /** 1101 (data lost: clients must re-subscribe) or 1102 (data maintained) to every connected client. */
  connectivityRestored(options: { readonly dataLost: boolean }): number {
    this.log({ fault: "connectivityRestored", dataLost: options.dataLost });
    return this.targets.server.broadcast(
      options.dataLost ? CONNECTIVITY_NOTICES.restoredDataLost : CONNECTIVITY_NOTICES.restoredDataMaintained,
    );
  }

  /** A data farm breaks and comes back: 2103 then 2104 (market) or 2105 then 2106 (historical). */
  async farmFlap(options: FarmFlapOptions): Promise<void> {
    const brokenForMs = options.brokenForMs ?? 0;
    if (!(brokenForMs >= 0) || !Number.isFinite(brokenForMs)) {
      throw new ConfigError(`farm outage ${brokenForMs} ms must be a finite number >= 0`);
    }
    this.assertLive();
    const [broken, ok] =
      options.farm === "market"
        ? [CONNECTIVITY_NOTICES.marketDataFarmBroken, CONNECTIVITY_NOTICES.marketDataFarmOk]
        : [CONNECTIVITY_NOTICES.historicalFarmBroken, CONNECTIVITY_NOTICES.historicalFarmOk];
    this.log({ fault: "farmFlap", farm: options.farm, brokenForMs });
    this.targets.server.broadcast(broken);
    if (brokenForMs > 0) await this.wait(brokenForMs);
    if (!this.disposed) this.targets.server.broadcast(ok);
  }

  /** The next `count` historical data requests are refused with 162 (pacing violation). */
  forcePacingViolations(count: number): void {
    this.log({ fault: "forcePacingViolations", count });
    this.targets.pacing.forcePacingViolations(count);
  }

  /** The next `count` fills send their execution and commission report but no ORDER_STATUS. */
  dropNextFillOrderStatus(count = 1): void {
    this.log({ fault: "dropNextFillOrderStatus", count });
    this.targets.orders.dropNextFillOrderStatus(count);
  }

  /** Each fill's ORDER_STATUS from now on follows its execution after `delayMs` of simulated time. */
  delayFillOrderStatusMs(delayMs: number): void {
    this.log({ fault: "delayFillOrderStatusMs", delayMs });
    this.targets.orders.delayFillOrderStatusMs(delayMs);
  }

  /** The next `count` executions are each sent twice (same execId), with their commission report. */
  duplicateNextExecution(count = 1): void {
    this.log({ fault: "duplicateNextExecution", count });
    this.targets.orders.duplicateNextExecution(count);
  }

  /** Every server→client message from now on is held back by `latencyMs` of wall time (0 = none), in order. */
  setLatencyMs(latencyMs: number): void {
    this.log({ fault: "setLatencyMs", latencyMs });
    this.targets.server.setLatencyMs(latencyMs);
  }

  /** Ends every wait in progress (a restart then does not listen again); later timed faults are refused. */
  dispose(): void {
    this.disposed = true;
    for (const wait of [...this.waits]) {
      clearTimeout(wait.timer);
      wait.finish();
    }
    this.waits.clear();
  }

  /**
   * Listens again, retrying briefly while the port is in use: an outgoing connection elsewhere on the
   * machine may have been given it as its local port while the gateway was down.
   */
  private async listenAgain(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.disposed) return;
      try {
        await this.targets.server.resume();
        return;
      } catch (error: unknown) {
        const code = (error as NodeJS.ErrnoException | undefined)?.code;
        if (code !== "EADDRINUSE" || attempt >= RELISTEN_ATTEMPTS) throw error;
        const detail = error instanceof Error ? error.message : String(error);
        this.targets.logger.warn({ attempt, error: detail }, "gateway-sim could not listen again; retrying");
        await this.wait(RELISTEN_PAUSE_MS);
      }
    }
  }

  private wait(ms: number): Promise<void> {
    if (ms <= 0 || this.disposed) return Promise.resolve();
    return new Promise((resolve) => {
      const wait = {
        timer: setTimeout(() => {
          this.waits.delete(wait);
          resolve();
        }, ms),
        finish: resolve,
      };
      this.waits.add(wait);
    });
  }

  private assertLive(): void {
    if (this.disposed) throw new InvariantError("gateway-sim faults are disposed: the simulator has stopped");
  }

  private log(fields: Record<string, unknown>): void {
    this.targets.logger.info(fields, "fault injected");
  }
}
