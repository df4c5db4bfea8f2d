import type { Logger } from "pino";
import { IbGateway, type IbGatewayDependencies } from "../adapters/ib/ib-gateway.js";
import type { IbSession } from "../adapters/ib/ib-connection-state.js";
import type { Config } from "../config/config.js";
import { decideTradingMode, type TradingMode } from "../config/live-interlock.js";
import type { Clock } from "../core/clock.js";
import { Rng } from "../core/rng.js";
import type { Scheduler } from "../core/scheduler.js";
import type { OutageClassifier } from "../data/daily-cycle.js";
import type { OrderEvent } from "../model/order-event.js";
import type { QualifiedContract } from "../model/qualified-contract.js";
import type { RiskRule } from "../risk/risk-decision.js";
import { OrderRouting } from "./order-routing.js";

/** What it takes to open a trading run's order path against TWS / IB Gateway. */
export interface OrderSessionOptions {
  readonly config: Config;
  /** `--live` on the command line: one of the live interlock's signals. */
  readonly liveFlag: boolean;
  /** Timers (reconnect backoff, grace periods, timeouts). */
  readonly scheduler: Scheduler;
  /** Order and fill times; the scheduler's own clock unless given. */
  readonly clock?: Clock;
  readonly logger: Logger;
  readonly onEvent: (event: OrderEvent) => void;
  /** How long a query to the broker may take (OrderRouting's default unless given). */
  readonly brokerQueryTimeoutMs?: number;
  /** A risk check denied an order, by this rule. */
  readonly onDenied?: (rule: RiskRule) => void;
  /** Seed of the reconnect jitter; default 1. */
  readonly seed?: number;
  /** Overrides for the connection's heartbeat and clash policy. */
  readonly connection?: IbGatewayDependencies["connection"];
  /** Which connection outages are expected (IB's daily cycle) and logged at info; absent: all are alarms. */
  readonly classifyOutage?: OutageClassifier;
  /** Resolves the traded symbols; default one IB contract lookup each. */
  /** Aborts the opening (a stop signal during the start): the connection stops and this rejects. */
  readonly signal?: AbortSignal;
  readonly resolveContracts?: (
    gateway: IbGateway,
    symbols: readonly string[],
  ) => Promise<ReadonlyMap<string, QualifiedContract>>;
}

/** A connected, reconciled order path and what it runs on. */
export interface OrderSession {
  readonly gateway: IbGateway;
  readonly session: IbSession;
  readonly tradingMode: TradingMode;
  readonly contracts: ReadonlyMap<string, QualifiedContract>;
  readonly routing: OrderRouting;
  /** Stops the order path (optionally cancelling our open orders) and disconnects. */
  readonly close: (options?: {
    readonly cancelOpenOrders?: boolean;
    readonly timeoutMs?: number;
  }) => Promise<void>;
}

/**
 * Connects, lets the live interlock decide what the run may do with the account the gateway reports (a
 * refusal disconnects before it is thrown), resolves the traded contracts, opens the order path and
 * reconciles it. Read-only runs build no order path: use the gateway alone.
 */
export async function openOrderSession(options: OrderSessionOptions): Promise<OrderSession> {
  const { config, scheduler, logger } = options;
  const gateway = new IbGateway(config.ibkr, {
    scheduler,
    rng: new Rng(options.seed ?? 1),
    logger,
    classifyOutage: options.classifyOutage,
    ...(options.connection === undefined ? {} : { connection: options.connection }),
  });
  const abort = (): void => {
    gateway.connection.stop(`stopped during the start (${String(options.signal?.reason)})`);
  };
  options.signal?.addEventListener("abort", abort, { once: true });
  let routing: OrderRouting | undefined;
  try {
    if (options.signal?.aborted === true) abort();
    const session = await gateway.connection.start();
    const tradingMode = decideTradingMode({
      config,
      liveFlag: options.liveFlag,
      readOnly: false,
      managedAccounts: session.accounts,
    });
    const contracts = await (options.resolveContracts ?? lookUpEach)(gateway, config.symbols);
    routing = new OrderRouting({
      config,
      tradingMode,
      gateway,
      contracts,
      clock: options.clock ?? scheduler,
      scheduler,
      logger,
      onEvent: options.onEvent,
      ...(options.onDenied === undefined ? {} : { onDenied: options.onDenied }),
      ...(options.brokerQueryTimeoutMs === undefined
        ? {}
        : { brokerQueryTimeoutMs: options.brokerQueryTimeoutMs }),
    });
    await routing.start();
    options.signal?.removeEventListener("abort", abort);
    const opened = routing;
    let closed = false;
    return {
      gateway,
      session,
      tradingMode,
      contracts,
      routing: opened,
      close: async (how = {}) => {
        if (closed) return;
        closed = true;
        try {
          await opened.stop({
            cancelOpenOrders: how.cancelOpenOrders ?? config.orders.cancelOnStop,
            timeoutMs: how.timeoutMs ?? 10_000,
          });
        } finally {
          gateway.connection.stop("order session closed");
        }
      },
    };
  } catch (error) {
    options.signal?.removeEventListener("abort", abort);
    await routing?.stop({ cancelOpenOrders: false, timeoutMs: 0 }).catch(() => undefined);
    gateway.connection.stop("order session refused or failed to open");
    throw error;
  }
}

async function lookUpEach(
  gateway: IbGateway,
  symbols: readonly string[],
): Promise<ReadonlyMap<string, QualifiedContract>> {
  const contracts = new Map<string, QualifiedContract>();
  for (const symbol of symbols) contracts.set(symbol, await gateway.contracts.lookup(symbol));
  return contracts;
}
