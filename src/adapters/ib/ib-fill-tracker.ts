import { Decimal } from "decimal.js";
import type { CommissionReport, Contract, Execution } from "@stoqey/ib";
import type { Logger } from "pino";
import type { CancelTimer, Scheduler } from "../../core/scheduler.js";
import type { BrokerExecution } from "../../execution/broker-port.js";
import type { ExecutionReport } from "../../execution/execution-client.js";
import type { Fill } from "../../model/fill.js";
import { fillOfExecution, parseIbExecutionTime } from "./ib-order-mapping.js";
import { commissionOf } from "./ib-order-queries.js";
import type { IbOrderTracking, TrackedOrder, TrackedOrderFills } from "./ib-order-tracking.js";

/** Commission reports kept for executions not seen (yet); older ones are forgotten first. */
const MAX_EARLY_COMMISSIONS = 512;

/** An execution seen once: waiting for its commission, reported without it, or done. */
interface SeenExecution {
  readonly order: TrackedOrder;
  readonly fill: Fill;
  readonly brokerOrderId: number;
  readonly permId: number | undefined;
  phase: "holding" | "commission-pending" | "done";
  cancelHold: CancelTimer | undefined;
}

/** How much IbFillTracker holds (for tests and diagnostics). */
export interface IbFillTrackerStats {
  /** Executions remembered by execId, for the orders still tracked. */
  readonly executions: number;
  /** execId bases remembered to recognise corrections. */
  readonly executionBases: number;
  /** Commission reports waiting for their execution (at most 512). */
  readonly earlyCommissions: number;
}

/** Everything IbFillTracker needs; times in milliseconds of the scheduler's clock. */
export interface IbFillTrackerOptions {
  /** The full account id our orders go to. */
  readonly account: string;
  readonly orders: IbOrderTracking;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly emit: (report: ExecutionReport) => void;
  /** How long a fill waits for its commission report before it is reported without it. */
  readonly commissionWaitMs: number;
  /** TWS's login time zone, for execution times sent without a zone. */
  readonly executionTimeZone: string;
}

/**
 * Turns the executions of our orders into fills, once per execId: each is held for its commission
 * report and reported with it, or without it once the wait is over (the commission follows as its own
 * report). Corrections of an execution already counted are logged, never booked. The executions of an
 * order are remembered as long as IbOrderTracking keeps the order.
 */
export class IbFillTracker implements TrackedOrderFills {
  private readonly options: IbFillTrackerOptions;
  private readonly executions = new Map<string, SeenExecution>();
  /** The execIds seen of each tracked order, so they are forgotten with it. */
  private readonly execIdsByOrder = new Map<TrackedOrder, string[]>();
  /** execIds without their last segment: a second execId with the same base is a correction (§5.3). */
  private readonly executionBases = new Set<string>();
  private readonly earlyCommissions = new Map<string, Decimal>();

  /** Attaches itself to `options.orders`: an order waits for its fills' commissions, and forgets them. */
  constructor(options: IbFillTrackerOptions) {
    this.options = options;
    options.orders.attachFills(this);
  }

  /** A live execution (execDetails with reqId −1). */
  onExecution(contract: Contract, execution: Execution): void {
    const tracked = this.options.orders.ours(execution.orderRef, execution.acctNumber);
    if (tracked === undefined) {
      this.options.logger.debug(
        { event: "order.execution_ignored", execId: execution.execId, orderRef: execution.orderRef },
        "not an order we follow (another client's, or one of ours ended and forgotten)",
      );
      return;
    }
    const timeMs = this.executionTimeOf(execution);
    const fill = fillOfExecution(execution, tracked.symbol ?? contract.symbol ?? "", timeMs);
    if (fill === undefined) {
      this.options.logger.warn(
        { event: "order.execution_unreadable", orderId: tracked.orderId, execId: execution.execId },
        "IB sent an execution without id, size or price; skipped (reconciliation reads it again)",
      );
      return;
    }
    this.takeExecution(
      tracked,
      fill,
      execution.orderId ?? tracked.ibOrderId,
      execution.permId ?? tracked.permId,
      undefined,
    );
  }

  onCommission(report: CommissionReport): void {
    const { execId } = report;
    if (execId === undefined) return;
    const commission = commissionOf(report);
    if (commission === undefined) return;
    const seen = this.executions.get(execId);
    if (seen === undefined) {
      this.earlyCommissions.set(execId, commission);
      if (this.earlyCommissions.size > MAX_EARLY_COMMISSIONS) {
        const oldest = this.earlyCommissions.keys().next();
        if (oldest.done !== true) this.earlyCommissions.delete(oldest.value);
      }
      return;
    }
    if (seen.phase === "holding") {
      this.reportFill(seen, commission, false);
      this.options.orders.retireIfSettled(seen.order);
      return;
    }
    if (seen.phase !== "commission-pending") return;
    seen.phase = "done";
    this.options.logger.info(
      { event: "order.commission", orderId: seen.order.orderId, execId, commission: commission.toString() },
      "commission of an earlier fill",
    );
    this.options.emit({
      type: "commission",
      orderId: seen.order.orderId,
      fillId: execId,
      commission,
      time: this.options.scheduler.nowMs(),
    });
    this.options.orders.retireIfSettled(seen.order);
  }

  /** Takes the executions of `tracked` among those IB answered a lookup with. */
  applyExecutions(tracked: TrackedOrder, executions: readonly BrokerExecution[]): void {
    for (const execution of executions) {
      if (execution.fill.orderId !== tracked.orderId || execution.account !== this.options.account) continue;
      this.takeExecution(
        tracked,
        Object.freeze({ ...execution.fill, symbol: tracked.symbol ?? execution.fill.symbol }),
        execution.brokerOrderId,
        execution.permId > 0 ? execution.permId : tracked.permId,
        execution.commissionReported ? execution.fill.commission : undefined,
      );
    }
  }

  /** Reports every fill of `tracked` still waiting for its commission, without it. */
  releaseHeld(tracked: TrackedOrder): void {
    for (const seen of this.executionsOf(tracked)) {
      if (seen.phase === "holding") this.releaseWithoutCommission(seen);
    }
  }

  /** True while a fill of `tracked` is held for its commission or was reported without it. */
  awaitsCommission(tracked: TrackedOrder): boolean {
    return this.executionsOf(tracked).some((seen) => seen.phase !== "done");
  }

  /** Forgets the executions of an order no longer tracked; a later duplicate of one is not ours. */
  forget(tracked: TrackedOrder): void {
    for (const seen of this.executionsOf(tracked)) {
      seen.cancelHold?.();
      this.executions.delete(seen.fill.fillId);
      const base = baseOf(seen.fill.fillId);
      if (base !== "") this.executionBases.delete(base);
    }
    this.execIdsByOrder.delete(tracked);
  }

  /** How much is held now (for tests and diagnostics). */
  stats(): IbFillTrackerStats {
    return {
      executions: this.executions.size,
      executionBases: this.executionBases.size,
      earlyCommissions: this.earlyCommissions.size,
    };
  }

  /** Cancels every commission wait and forgets the executions seen. */
  dispose(): void {
    for (const seen of this.executions.values()) seen.cancelHold?.();
    this.executions.clear();
    this.execIdsByOrder.clear();
    this.executionBases.clear();
    this.earlyCommissions.clear();
  }

  private executionsOf(tracked: TrackedOrder): SeenExecution[] {
    const seen: SeenExecution[] = [];
    for (const execId of this.execIdsByOrder.get(tracked) ?? []) {
      const execution = this.executions.get(execId);
      if (execution !== undefined) seen.push(execution);
    }
    return seen;
  }

  private executionTimeOf(execution: Execution): number {
    const parsed =
      execution.time === undefined
        ? undefined
        : parseIbExecutionTime(execution.time, this.options.executionTimeZone);
    if (parsed !== undefined) return parsed;
    this.options.logger.warn(
      { event: "order.execution_time_unreadable", execId: execution.execId, time: execution.time },
      "IB sent an execution time we cannot read; using the time it arrived",
    );
    return this.options.scheduler.nowMs();
  }

  /** A new execution of `tracked`, once per execId; held for its commission unless it is known. */
  private takeExecution(
    tracked: TrackedOrder,
    fill: Fill,
    brokerOrderId: number,
    permId: number | undefined,
    commission: Decimal | undefined,
  ): void {
    const execId = fill.fillId;
    if (this.executions.has(execId)) {
      this.options.logger.debug(
        { event: "order.execution_duplicate", orderId: tracked.orderId, execId },
        "seen",
      );
      return;
    }
    if (!this.options.orders.isTracked(tracked)) {
      // A lookup answered for an order forgotten meanwhile: nothing is reported for it any more.
      this.options.logger.debug(
        { event: "order.execution_ignored", orderId: tracked.orderId, execId },
        "the order is no longer tracked",
      );
      return;
    }
    this.bookExecution(tracked, fill, brokerOrderId, permId, commission);
    this.options.orders.retireIfSettled(tracked);
  }

  private bookExecution(
    tracked: TrackedOrder,
    fill: Fill,
    brokerOrderId: number,
    permId: number | undefined,
    commission: Decimal | undefined,
  ): void {
    const execId = fill.fillId;
    const base = baseOf(execId);
    const seen: SeenExecution = {
      order: tracked,
      fill,
      brokerOrderId,
      permId,
      phase: "done",
      cancelHold: undefined,
    };
    this.executions.set(execId, seen);
    const execIds = this.execIdsByOrder.get(tracked);
    if (execIds === undefined) this.execIdsByOrder.set(tracked, [execId]);
    else execIds.push(execId);
    if (base !== "" && this.executionBases.has(base)) {
      // A correction replaces an execution already counted (ibkr-facts.md §5.3); booking it as another fill
      // would count the shares twice. Reconciliation of positions shows any difference.
      this.options.logger.error(
        { event: "order.execution_corrected", orderId: tracked.orderId, execId },
        "IB corrected an execution; the correction is not booked: check the fill in TWS",
      );
      return;
    }
    if (base !== "") this.executionBases.add(base);
    tracked.filled = tracked.filled.plus(fill.quantity);
    this.options.orders.accept(tracked, permId);
    const known = commission ?? this.takeEarlyCommission(execId);
    if (known !== undefined) {
      this.reportFill(seen, known, false);
      return;
    }
    seen.phase = "holding";
    seen.cancelHold = this.options.scheduler.setTimer(this.options.commissionWaitMs, () => {
      seen.cancelHold = undefined;
      if (seen.phase === "holding") this.releaseWithoutCommission(seen);
    });
  }

  private takeEarlyCommission(execId: string): Decimal | undefined {
    const commission = this.earlyCommissions.get(execId);
    this.earlyCommissions.delete(execId);
    return commission;
  }

  private releaseWithoutCommission(seen: SeenExecution): void {
    seen.cancelHold?.();
    seen.cancelHold = undefined;
    this.reportFill(seen, new Decimal(0), true);
  }

  private reportFill(seen: SeenExecution, commission: Decimal, commissionPending: boolean): void {
    seen.cancelHold?.();
    seen.cancelHold = undefined;
    seen.phase = commissionPending ? "commission-pending" : "done";
    const fill: Fill = Object.freeze({ ...seen.fill, commission });
    this.options.logger.info(
      {
        event: "ib.execution",
        orderId: fill.orderId,
        ibOrderId: seen.brokerOrderId,
        execId: fill.fillId,
        symbol: fill.symbol,
        side: fill.side,
        quantity: fill.quantity.toString(),
        price: fill.price.toString(),
        commission: commission.toString(),
        commissionPending,
      },
      "IB reported an execution",
    );
    this.options.emit({
      type: "filled",
      orderId: seen.order.orderId,
      fill,
      ...(commissionPending ? { commissionPending: true } : {}),
      brokerOrderId: seen.brokerOrderId,
      ...(seen.permId === undefined ? {} : { permId: seen.permId }),
    });
  }
}

/** An execId without its last segment (the correction counter, §5.3); "" when it has none. */
function baseOf(execId: string): string {
  return execId.slice(0, Math.max(0, execId.lastIndexOf(".")));
}
