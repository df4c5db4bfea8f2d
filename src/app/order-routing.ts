import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import type { Logger } from "pino";
import { BehaviorSubject, type Observable, type Subscription } from "rxjs";
import type { IbGateway } from "../adapters/ib/ib-gateway.js";
import { IbAccountClient } from "../adapters/ib/ib-account-client.js";
import { IbExecutionClient } from "../adapters/ib/ib-execution-client.js";
import { IbOrderQueries } from "../adapters/ib/ib-order-queries.js";
import type { Config } from "../config/config.js";
import { stateFileName, type TradingMode } from "../config/live-interlock.js";
import { maskAccountId } from "../core/account-id.js";
import type { Clock } from "../core/clock.js";
import { InvariantError, TraderError } from "../core/errors.js";
import { IdGenerator } from "../core/id-generator.js";
import type { Scheduler } from "../core/scheduler.js";
import type { ExecutionClient } from "../execution/execution-client.js";
import { OrderManager } from "../execution/order-manager.js";
import { ordersFromJournal, Reconciler, type ReconcileReport } from "../execution/reconciler.js";
import { SimulatedExecutionClient } from "../execution/simulated-execution-client.js";
import type { Fill } from "../model/fill.js";
import type { OrderEvent } from "../model/order-event.js";
import type { OrderRequest } from "../model/order.js";
import type { QualifiedContract } from "../model/qualified-contract.js";
import { Portfolio } from "../portfolio/portfolio.js";
import { RiskChecks } from "../risk/risk-checks.js";
import type { RiskRule } from "../risk/risk-decision.js";
import { RiskGate } from "../risk/risk-gate.js";
import { StateStore } from "../store/state-store.js";
import { AccountMonitor } from "./account-monitor.js";
import { feeModelFromConfig } from "./fee-model-from-config.js";

/** Where the order path is: orders flow only when `ready`. */
export type RoutingStatus = "starting" | "reconciling" | "ready" | "disconnected" | "stopping" | "stopped";

/** The order path's readiness, with the reason when it is not ready (for logs and /readyz). */
export interface RoutingReadiness {
  readonly status: RoutingStatus;
  readonly reason: string;
  /** The last reconciliation, once one has run. */
  readonly lastReconcile?: ReconcileReport;
}

/** Everything the order path is built from. */
export interface OrderRoutingOptions {
  readonly config: Config;
  /** The live interlock's decision: account, mode and whether orders may be sent. */
  readonly tradingMode: TradingMode;
  /** The connected gateway: needed for broker `ibkr`; absent for a simulated broker on CSV data. */
  readonly gateway?: IbGateway;
  /** Qualified contracts of the traded symbols (broker ibkr places orders on their conIds). */
  readonly contracts: ReadonlyMap<string, QualifiedContract>;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Receives every order event (the engine forwards them to the strategy). */
  readonly onEvent: (event: OrderEvent) => void;
  /** How long a query to the broker (open orders, executions, positions) may take; default 30 s. */
  readonly brokerQueryTimeoutMs?: number;
  /** A risk check denied an order: the rule that did (its OrderDenied event follows on onEvent). */
  readonly onDenied?: (rule: RiskRule) => void;
  /** Overrides the state file (default DATA_DIR/state-<mode>-<account>.sqlite); ":memory:" for none. */
  readonly statePath?: string;
}

const INITIAL_CAPITAL_KEY = "initial_capital";
/** How long reconciliation waits for each of IB's answers (open orders, executions, positions). */
export const BROKER_QUERY_TIMEOUT_MS = 30_000;
/** IB's P&L and our ledger may update a few seconds apart around a fill: only a lasting difference counts. */
const ACCOUNT_DIVERGENCE_GRACE_MS = 5_000;

/**
 * The order path of a trading run, the same in front of every broker: risk checks, the order manager writing
 * to the state store, the execution client (the in-process simulator, or IB's paper or live account), the
 * ledger rebuilt from the store's fills, and — for IB — reconciliation at start and after every reconnect.
 * Orders flow only while `ready`; otherwise a request is denied with the reason, never queued.
 */
export class OrderRouting {
  readonly store: StateStore;
  readonly portfolio: Portfolio;
  readonly orders: OrderManager;
  readonly riskChecks: RiskChecks;
  /** Bars feed it when the broker is the simulator (the engine's venue). */
  readonly simulatedVenue: SimulatedExecutionClient | undefined;
  readonly execution: ExecutionClient;
  /** IB's account (summary, P&L) beside our ledger; broker ibkr only. */
  readonly accountMonitor: AccountMonitor | undefined;
  private readonly accountClient: IbAccountClient | undefined;
  private readonly risk: RiskGate;
  private readonly ibClient: IbExecutionClient | undefined;
  private readonly reconcilerQueries: IbOrderQueries | undefined;
  private readonly reconciler: Reconciler | undefined;
  private readonly readinessSubject: BehaviorSubject<RoutingReadiness>;
  private readonly subscriptions: Subscription[] = [];
  private reconciledGeneration = 0;
  private reconciling: Promise<ReconcileReport> | undefined;

  constructor(private readonly options: OrderRoutingOptions) {
    const { config, tradingMode, clock, logger } = options;
    if (!tradingMode.ordersAllowed) {
      throw new InvariantError("the order path is not built in read-only mode: no order may be sent");
    }
    const mode = tradingMode.mode === "read-only" ? "paper" : tradingMode.mode;
    const path = options.statePath ?? join(config.dataDir, stateFileName(mode, tradingMode.account));
    if (path !== ":memory:") mkdirSync(config.dataDir, { recursive: true });
    this.store = StateStore.open(path, { mode, account: tradingMode.account });
    this.portfolio = this.rebuildLedger();
    this.riskChecks = new RiskChecks(config.risk);
    const ids = new IdGenerator(clock, config.strategyName);
    const broker = tradingMode.ordersReachAccount ? "ibkr" : "sim";
    if (broker === "ibkr") {
      const gateway = options.gateway;
      if (gateway === undefined) throw new InvariantError("broker ibkr needs a gateway connection");
      const queries = new IbOrderQueries({
        connection: gateway.connection,
        scheduler: options.scheduler,
        logger: logger.child({ component: "ib-order-queries" }),
        timeoutMs: options.brokerQueryTimeoutMs ?? BROKER_QUERY_TIMEOUT_MS,
        executionTimeZone: config.ibkr.timeZone,
      });
      this.ibClient = new IbExecutionClient({
        connection: gateway.connection,
        account: tradingMode.account,
        contractOf: (symbol) => this.contractOf(symbol),
        journal: this.store,
        queries,
        scheduler: options.scheduler,
        logger: logger.child({ component: "ib-execution" }),
        ackTimeoutMs: config.orders.ackTimeoutMs,
        executionTimeZone: config.ibkr.timeZone,
      });
      this.execution = this.ibClient;
      this.simulatedVenue = undefined;
      this.reconcilerQueries = queries;
      this.accountClient = new IbAccountClient(
        gateway.connection,
        gateway.requests,
        clock,
        logger.child({ component: "ib-account" }),
      );
      this.accountMonitor = new AccountMonitor({
        source: this.accountClient,
        ledger: this.portfolio,
        tolerance: config.orders.pnlTolerance,
        clock,
        logger: logger.child({ component: "account-monitor" }),
        graceMs: ACCOUNT_DIVERGENCE_GRACE_MS,
      });
      for (const stored of this.store.fillsSince(0)) {
        if (stored.correctedBy === undefined) this.accountMonitor.recordFill(stored.fill);
      }
    } else {
      this.ibClient = undefined;
      this.simulatedVenue = new SimulatedExecutionClient({
        clock,
        feeModel: feeModelFromConfig(config.fees),
        portfolio: this.portfolio,
        slippageBps: config.slippageBps,
      });
      this.execution = this.simulatedVenue;
      this.reconcilerQueries = undefined;
      this.accountClient = undefined;
      this.accountMonitor = undefined;
    }
    this.orders = new OrderManager({
      clock,
      ids,
      execution: this.execution,
      book: this.portfolio,
      strategyName: config.strategyName,
      journal: this.store,
      gate: () => this.gateReason(),
      onEvent: (event) => {
        if (event.type === "OrderFilled") this.accountMonitor?.recordFill(event.fill);
        this.logOrderEvent(event);
        options.onEvent(event);
      },
      onLateCommission: (fillId, commission) => {
        this.accountMonitor?.recordLateCommission(fillId, commission);
      },
      onUnbookedFill: (fill, reason) => {
        this.onUnbookedFill(fill, reason);
      },
    });
    this.risk = new RiskGate({
      checks: this.riskChecks,
      portfolio: this.portfolio,
      clock,
      ids,
      strategyName: config.strategyName,
      forward: (request) => this.orders.submit(request),
      onDenied: (event, rule) => {
        logger.warn(
          {
            event: "order.denied",
            rule,
            orderId: event.order.orderId,
            symbol: event.order.intent.symbol,
            reason: event.reason,
          },
          "risk check denied an order",
        );
        options.onDenied?.(rule);
        options.onEvent(event);
      },
    });
    this.orders.restore(
      ordersFromJournal(
        this.store.unresolvedIntents(),
        this.store.fillsSince(0).map((stored) => stored.fill),
      ),
    );
    this.reconciler =
      this.ibClient === undefined || this.reconcilerQueries === undefined
        ? undefined
        : new Reconciler({
            queries: this.reconcilerQueries,
            journal: this.store,
            orders: this.orders,
            track: (orderId, brokerOrderId, details) => {
              this.ibClient?.track(orderId, brokerOrderId, details);
            },
            ledgerQuantity: (symbol) => this.portfolio.positionQuantity(symbol),
            ledgerSymbols: () => this.portfolio.positions().map((position) => position.symbol),
            account: tradingMode.account,
            tradedSymbols: config.symbols,
            resendWindowMs: config.orders.resendWindowMs,
            ackTimeoutMs: config.orders.ackTimeoutMs,
            clock,
            logger: logger.child({ component: "reconcile" }),
          });
    this.readinessSubject = new BehaviorSubject<RoutingReadiness>({
      status: "starting",
      reason: "starting: not reconciled with the broker yet",
    });
    logger.info(
      {
        event: "orders.state_opened",
        path: path.replace(tradingMode.account, maskAccountId(tradingMode.account)),
        broker,
        mode: tradingMode.mode,
        cash: this.portfolio.cash().toString(),
        positions: this.portfolio.positions().length,
        unresolvedIntents: this.orders.openOrders().length,
      },
      "order state opened",
    );
  }

  /** The strategy's way in: risk checks, then the order manager. Returns the order id (denied ones too). */
  submit(request: OrderRequest): string {
    return this.risk.submit(request);
  }

  get readiness(): RoutingReadiness {
    return this.readinessSubject.value;
  }

  get readiness$(): Observable<RoutingReadiness> {
    return this.readinessSubject.asObservable();
  }

  /**
   * Reconciles with IB (broker ibkr) and becomes ready; afterwards every new session is reconciled before
   * orders flow again. With the simulated broker, intents a previous run left are expired (the simulator's
   * working orders died with it) and the path is ready at once.
   */
  async start(): Promise<ReconcileReport | undefined> {
    const gateway = this.options.gateway;
    if (this.reconciler === undefined || gateway === undefined) {
      for (const order of this.orders.openOrders()) {
        this.orders.expire(order.orderId, "expired: the simulated broker's working orders end with the run");
      }
      this.setReadiness("ready", "ready: simulated broker");
      return undefined;
    }
    const first = await this.reconcileSession("start");
    this.accountClient?.start(
      this.options.tradingMode.account,
      new Map([...this.options.contracts].map(([symbol, contract]) => [symbol, contract.conId])),
    );
    this.accountMonitor?.start();
    this.subscriptions.push(
      gateway.connection.state$.subscribe((state) => {
        if (state.status === "ready") {
          if (state.session.generation > this.reconciledGeneration && this.reconciling === undefined) {
            void this.reconcileSession("reconnect").catch((error: unknown) => {
              this.options.logger.error(
                { event: "reconcile.failed", error: describe(error) },
                "reconciliation failed; orders stay blocked until the next session",
              );
            });
          }
        } else if (this.readiness.status === "ready" || this.readiness.status === "reconciling") {
          this.setReadiness("disconnected", `not connected to IB (${state.status}): orders are denied`);
        }
      }),
    );
    return first;
  }

  /**
   * Stops new orders, optionally cancels ours at the broker and waits (up to `timeoutMs`) for the answers,
   * saves the ledger and closes the store. The caller disconnects afterwards.
   */
  async stop(options: { readonly cancelOpenOrders: boolean; readonly timeoutMs: number }): Promise<void> {
    if (this.readiness.status === "stopped") return;
    this.setReadiness("stopping", "stopping: no new orders");
    const open = this.orders.openOrders();
    if (options.cancelOpenOrders && open.length > 0) {
      for (const order of open) this.orders.cancel(order.orderId);
      await this.waitForNoOpenOrders(options.timeoutMs);
    }
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    this.accountMonitor?.stop();
    this.accountClient?.stop();
    this.ibClient?.dispose();
    this.saveSnapshot();
    this.store.close();
    this.setReadiness("stopped", "stopped");
    this.options.logger.info(
      {
        event: "orders.stopped",
        openOrders: this.orders.openOrders().length,
        cancelled: options.cancelOpenOrders,
      },
      "order path stopped",
    );
  }

  /** Writes the ledger's cash and positions and an equity point to the store. */
  saveSnapshot(): void {
    const atMs = this.options.clock.nowMs();
    this.store.savePortfolio({
      cash: this.portfolio.cash(),
      positions: this.portfolio.positions().map((position) => ({
        symbol: position.symbol,
        quantity: position.quantity,
        averageCost: position.averageCost,
      })),
      atMs,
    });
    this.store.recordEquity(atMs, this.portfolio.equity(), "ours");
  }

  private async reconcileSession(trigger: "start" | "reconnect"): Promise<ReconcileReport> {
    const reconciler = this.reconciler;
    const connection = this.options.gateway?.connection;
    if (reconciler === undefined || connection === undefined) {
      throw new InvariantError("reconciliation needs the IB broker");
    }
    const state = connection.state;
    const generation = state.status === "ready" ? state.session.generation : 0;
    this.setReadiness("reconciling", "reconciling with IB: orders wait until it is done");
    const run = reconciler.reconcile(trigger);
    this.reconciling = run;
    try {
      const report = await run;
      this.reconciledGeneration = Math.max(this.reconciledGeneration, generation);
      this.applyPositionPolicy(report);
      const now = connection.state;
      if (now.status === "ready" && now.session.generation === generation) {
        this.setReadiness("ready", "ready: reconciled with IB", report);
      } else {
        this.setReadiness(
          "disconnected",
          "the session ended during reconciliation: orders are denied",
          report,
        );
      }
      return report;
    } catch (error) {
      this.setReadiness("disconnected", `reconciliation failed: ${describe(error)}`);
      throw error;
    } finally {
      this.reconciling = undefined;
      const now = connection.state;
      if (now.status === "ready" && now.session.generation > this.reconciledGeneration) {
        void this.reconcileSession("reconnect").catch(() => undefined);
      }
    }
  }

  private applyPositionPolicy(report: ReconcileReport): void {
    const { config, logger, clock } = this.options;
    if (report.positionMismatches.length === 0) return;
    if (config.orders.positionPolicy === "halt") {
      const listed = report.positionMismatches
        .map(
          (mismatch) =>
            `${mismatch.symbol} ours ${mismatch.ours.toString()} IB ${mismatch.broker.toString()}`,
        )
        .join(", ");
      this.riskChecks.tradingState.set(
        "halted",
        `position differs from IB's (${listed}); fix: check the account, then restart with ` +
          "RECONCILE_POSITION_POLICY=adopt to take IB's positions",
      );
      return;
    }
    for (const mismatch of report.positionMismatches) {
      const difference = mismatch.broker.minus(mismatch.ours);
      const fill: Fill = Object.freeze({
        fillId: `adopt-${mismatch.symbol}-${clock.nowMs()}`,
        orderId: "reconcile",
        symbol: mismatch.symbol,
        side: difference.isNegative() ? "SELL" : "BUY",
        quantity: difference.abs(),
        price: mismatch.brokerAverageCost,
        commission: new Decimal(0),
        time: clock.nowMs(),
      });
      this.store.recordFill(fill, { commissionReported: true });
      this.portfolio.applyFill(fill);
      logger.warn(
        {
          event: "reconcile.position_adopted",
          symbol: mismatch.symbol,
          from: mismatch.ours.toString(),
          to: mismatch.broker.toString(),
          price: mismatch.brokerAverageCost.toString(),
        },
        "adopted IB's position",
      );
    }
  }

  private gateReason(): string | undefined {
    const readiness = this.readiness;
    if (readiness.status === "ready") {
      const connection = this.options.gateway?.connection;
      if (this.ibClient !== undefined && connection !== undefined && connection.state.status !== "ready") {
        return `not connected to IB (${connection.state.status}): the order was not sent`;
      }
      return undefined;
    }
    return readiness.reason;
  }

  private contractOf(symbol: string): QualifiedContract {
    const contract = this.options.contracts.get(symbol);
    if (contract === undefined) {
      throw new InvariantError(`no qualified contract for ${symbol}: it is not among the traded symbols`);
    }
    return contract;
  }

  /** The ledger as the store's fills make it: every execution once, a corrected one replaced by its correction. */
  private rebuildLedger(): Portfolio {
    const { config, logger } = this.options;
    const stored = this.store.getMeta(INITIAL_CAPITAL_KEY);
    if (stored === undefined) {
      this.store.setMeta(INITIAL_CAPITAL_KEY, config.initialCapital.toString());
    } else if (!new Decimal(stored).equals(config.initialCapital)) {
      logger.warn(
        { event: "orders.initial_capital_kept", stored, configured: config.initialCapital.toString() },
        "the state file keeps the initial capital it was started with",
      );
    }
    const portfolio = new Portfolio({ initialCash: new Decimal(stored ?? config.initialCapital) });
    for (const fill of this.store.fillsSince(0)) {
      if (fill.correctedBy === undefined) portfolio.applyFill(fill.fill);
    }
    return portfolio;
  }

  private onUnbookedFill(fill: Fill, reason: string): void {
    this.options.logger.error(
      { event: "fill.correction", orderId: fill.orderId, execId: fill.fillId, symbol: fill.symbol, reason },
      "an execution correction is stored; the ledger takes it at the next start (positions are compared then)",
    );
  }

  private logOrderEvent(event: OrderEvent): void {
    const { order } = event;
    const fields = {
      event: `order.${event.type.slice("Order".length).toLowerCase()}`,
      orderId: order.orderId,
      symbol: order.intent.symbol,
      side: order.intent.side,
      quantity: order.intent.quantity.toString(),
      status: order.status,
      filled: order.filledQuantity.toString(),
    };
    switch (event.type) {
      case "OrderFilled":
        this.options.logger.info(
          {
            ...fields,
            execId: event.fill.fillId,
            price: event.fill.price.toString(),
            commission: event.fill.commission.toString(),
          },
          "fill booked",
        );
        return;
      case "OrderRejected":
        this.options.logger.warn({ ...fields, code: event.code, reason: event.reason }, "order rejected");
        return;
      case "OrderDenied":
      case "OrderCancelled":
        this.options.logger.warn({ ...fields, reason: event.reason }, "order ended without a fill");
        return;
      case "OrderAccepted":
        this.options.logger.info(fields, "order accepted");
        return;
    }
  }

  private setReadiness(status: RoutingStatus, reason: string, lastReconcile?: ReconcileReport): void {
    const previous = this.readinessSubject.value;
    const report = lastReconcile ?? previous.lastReconcile;
    if (previous.status === status && previous.reason === reason && report === previous.lastReconcile) return;
    this.readinessSubject.next(
      Object.freeze({ status, reason, ...(report === undefined ? {} : { lastReconcile: report }) }),
    );
    this.options.logger.info({ event: "orders.readiness", status, reason }, "order path readiness");
  }

  private waitForNoOpenOrders(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const { scheduler } = this.options;
      const deadline = scheduler.nowMs() + timeoutMs;
      const poll = (): void => {
        if (this.orders.openOrders().length === 0 || scheduler.nowMs() >= deadline) {
          resolve();
          return;
        }
        scheduler.setTimer(Math.min(50, Math.max(0, deadline - scheduler.nowMs())), poll);
      };
      poll();
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof TraderError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
