import { Decimal } from "decimal.js";
import type { CommissionReport, Contract, Execution } from "@stoqey/ib";
import type { Logger } from "pino";
import type { CancelTimer, Scheduler } from "../../core/scheduler.js";
import type { BrokerExecution } from "../../execution/broker-port.js";
import type { ExecutionReport } from "../../execution/execution-client.js";
import type { Fill } from "../../model/fill.js";
import { fillOfExecution, parseIbExecutionTime } from "./ib-order-mapping.js";
import { commissionOf } from "./ib-order-queries.js";
import type { IbOrderTracking, TrackedOrder } from "./ib-order-tracking.js";

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
 * report). Corrections of an execution already counted are logged, never booked.
 */
export class IbFillTracker {
  private readonly options: IbFillTrackerOptions;
  private readonly executions = new Map<string, SeenExecution>();
  /** execIds without their last segment: a second execId with the same base is a correction (§5.3). */
  private readonly executionBases = new Set<string>();
  private readonly earlyCommissions = new Map<string, Decimal>();

  constructor(options: IbFillTrackerOptions) {
    this.options = options;
  }

  /** A live execution (execDetails with reqId −1). */
  onExecution(contract: Contract, execution: Execution): void {
    const tracked = this.options.orders.ours(execution.orderRef, execution.acctNumber);
    if (tracked === undefined) return;
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
    for (const seen of this.executions.values()) {
      if (seen.order === tracked && seen.phase === "holding") this.releaseWithoutCommission(seen);
    }
  }

  /** Cancels every commission wait and forgets the executions seen. */
  dispose(): void {
    for (const seen of this.executions.values()) seen.cancelHold?.();
    this.executions.clear();
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
    const base = execId.slice(0, Math.max(0, execId.lastIndexOf(".")));
    const seen: SeenExecution = {
      order: tracked,
      fill,
      brokerOrderId,
      permId,
      phase: "done",
      cancelHold: undefined,
    };
    this.executions.set(execId, seen);
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
        event: "order.filled",
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
      "fill",
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
