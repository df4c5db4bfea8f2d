import type { Decimal } from "decimal.js";
import type { Logger } from "pino";
import { GatewayError } from "../../core/errors.js";
import type { Scheduler } from "../../core/scheduler.js";
import type { BrokerExecution, BrokerOrder, BrokerQueries } from "../../execution/broker-port.js";
import type { IbFillTracker } from "./ib-fill-tracker.js";
import type { IbOrderTracking, TrackedOrder } from "./ib-order-tracking.js";

/** Execution lookups reach this far before the send time: this host's clock and TWS's may disagree. */
const EXECUTION_LOOKBACK_MS = 10 * 60_000;

/** Everything IbOrderLookup needs; times in milliseconds of the scheduler's clock. */
export interface IbOrderLookupOptions {
  /** The full account id our orders go to. */
  readonly account: string;
  readonly queries: BrokerQueries;
  readonly orders: IbOrderTracking;
  readonly fills: IbFillTracker;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** An order not acknowledged within this long is looked up at IB (never resent). */
  readonly ackTimeoutMs: number;
  /** How long after IB reports more filled shares than we saw executions we ask for them. */
  readonly missingExecutionsGraceMs: number;
  /** True once the client is disposed: answers arriving after that are dropped. */
  readonly isDisposed: () => boolean;
}

/**
 * Asks IB about an order when its messages did not arrive: the order itself when it is not acknowledged
 * in time, its executions when IB reports more filled shares than executions came in.
 */
export class IbOrderLookup {
  private readonly options: IbOrderLookupOptions;

  constructor(options: IbOrderLookupOptions) {
    this.options = options;
  }

  /** Looks `tracked` up if IB has not acknowledged it within the acknowledgement timeout. */
  armAckTimeout(tracked: TrackedOrder): void {
    tracked.cancelAckTimer = this.options.scheduler.setTimer(this.options.ackTimeoutMs, () => {
      tracked.cancelAckTimer = undefined;
      this.onAckTimeout(tracked);
      this.options.orders.retireIfSettled(tracked);
    });
  }

  /** IB says more shares filled than we saw executions for: ask for them after a grace (orderStatus may lead). */
  noteBrokerFilled(tracked: TrackedOrder, filled: Decimal): void {
    if (filled.greaterThan(tracked.brokerFilled)) tracked.brokerFilled = filled;
    if (!tracked.filled.lessThan(tracked.brokerFilled) || tracked.cancelMissingCheck !== undefined) return;
    tracked.cancelMissingCheck = this.options.scheduler.setTimer(
      this.options.missingExecutionsGraceMs,
      () => {
        tracked.cancelMissingCheck = undefined;
        if (tracked.filled.lessThan(tracked.brokerFilled))
          void this.whileLookingUp(tracked, () => this.fetchMissingExecutions(tracked));
        this.options.orders.retireIfSettled(tracked);
      },
    );
    // An ended order kept for late duplicates is not forgotten while this check is pending.
    this.options.orders.retireIfSettled(tracked);
  }

  /** Runs one lookup for `tracked`, counted as pending work of the order until it settles. */
  private async whileLookingUp(tracked: TrackedOrder, lookup: () => Promise<void>): Promise<void> {
    tracked.lookupsInFlight += 1;
    try {
      await lookup();
    } finally {
      tracked.lookupsInFlight -= 1;
      this.options.orders.retireIfSettled(tracked);
    }
  }

  private async fetchMissingExecutions(tracked: TrackedOrder): Promise<void> {
    this.options.logger.warn(
      {
        event: "order.executions_missing",
        orderId: tracked.orderId,
        ibOrderId: tracked.ibOrderId,
        brokerFilled: tracked.brokerFilled.toString(),
        seenFilled: tracked.filled.toString(),
      },
      "IB reports more filled shares than executions arrived; asking IB for the executions",
    );
    let executions: readonly BrokerExecution[];
    try {
      executions = await this.options.queries.executions(this.options.account, this.lookbackOf(tracked));
    } catch (error) {
      this.lookupFailed(tracked, error);
      return;
    }
    if (this.options.isDisposed()) return;
    this.options.fills.applyExecutions(tracked, executions);
  }

  private lookbackOf(tracked: TrackedOrder): number | undefined {
    return tracked.sentAtMs === undefined ? undefined : tracked.sentAtMs - EXECUTION_LOOKBACK_MS;
  }

  private onAckTimeout(tracked: TrackedOrder): void {
    if (tracked.accepted || tracked.ended || this.options.isDisposed()) return;
    this.options.logger.warn(
      {
        event: "order.ack_timeout",
        orderId: tracked.orderId,
        ibOrderId: tracked.ibOrderId,
        ackTimeoutMs: this.options.ackTimeoutMs,
      },
      "IB has not acknowledged the order; looking it up (it is never sent again)",
    );
    void this.whileLookingUp(tracked, () => this.lookUp(tracked));
  }

  /** Finds an unacknowledged order at IB by orderRef and reports what IB says about it. */
  private async lookUp(tracked: TrackedOrder): Promise<void> {
    const { queries, account, orders } = this.options;
    let open: readonly BrokerOrder[];
    let completed: readonly BrokerOrder[];
    let executions: readonly BrokerExecution[];
    try {
      [open, completed] = await Promise.all([queries.openOrders(), queries.completedOrders()]);
      executions = await queries.executions(account, this.lookbackOf(tracked));
    } catch (error) {
      this.lookupFailed(tracked, error);
      return;
    }
    if (this.options.isDisposed()) return;
    const mine = (order: BrokerOrder): boolean =>
      order.orderRef === tracked.orderId && order.account === account;
    const atIb = open.find(mine) ?? completed.find(mine);
    const fills = executions.filter(
      (execution) => execution.fill.orderId === tracked.orderId && execution.account === account,
    );
    const fields = { orderId: tracked.orderId, ibOrderId: tracked.ibOrderId };
    if (atIb === undefined && fills.length === 0) {
      if (tracked.accepted || tracked.ended) return;
      this.options.logger.error(
        { event: "order.unconfirmed", ...fields },
        `IB has no order with orderRef ${tracked.orderId} (IB order id ${tracked.ibOrderId}) and no execution of it: it probably never reached IB. It stays open and is NOT sent again; check the order in TWS (Orders and Trades) before placing it by hand — reconciliation resolves it after the next reconnect or restart`,
      );
      return;
    }
    this.options.logger.info(
      { event: "order.found", ...fields, brokerStatus: atIb?.brokerStatus, executions: fills.length },
      "found the unacknowledged order at IB",
    );
    if (atIb !== undefined && atIb.permId > 0) tracked.permId ??= atIb.permId;
    const state = atIb?.state;
    if (state === "working" || state === "pending-cancel" || state === "filled" || fills.length > 0) {
      orders.accept(tracked);
    }
    this.options.fills.applyExecutions(tracked, fills);
    if (state === "cancelled") {
      orders.end(tracked, {
        type: "cancelled",
        orderId: tracked.orderId,
        reason: `IB reports the order ${atIb?.brokerStatus ?? "Cancelled"}`,
        time: this.options.scheduler.nowMs(),
      });
    } else if (state === "inactive" && completed.some(mine)) {
      orders.end(tracked, {
        type: "rejected",
        orderId: tracked.orderId,
        reason: `IB reports the order ${atIb?.brokerStatus ?? "Inactive"}`,
        time: this.options.scheduler.nowMs(),
      });
    }
  }

  private lookupFailed(tracked: TrackedOrder, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.options.logger.warn(
      {
        event: "order.lookup_failed",
        orderId: tracked.orderId,
        ibOrderId: tracked.ibOrderId,
        ...(error instanceof GatewayError ? { code: error.code } : {}),
      },
      `could not look the order up at IB (${message}); reconciliation looks again after the next reconnect`,
    );
  }
}
