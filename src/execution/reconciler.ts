import { Decimal } from "decimal.js";
import type { Logger } from "pino";
import { maskAccountId } from "../core/account-id.js";
import type { Clock } from "../core/clock.js";
import type { Fill } from "../model/fill.js";
import type { Order } from "../model/order.js";
import type { BrokerExecution, BrokerOrder, BrokerPosition, BrokerQueries } from "./broker-port.js";
import { newOrder } from "./new-order.js";
import type { OrderManager } from "./order-manager.js";

/** What reconciliation reads of the journal (the StateStore satisfies it). */
export interface ReconcileJournal {
  unresolvedIntents(): readonly UnresolvedIntent[];
  intent(intentId: string): { readonly status: string } | undefined;
  fill(execId: string): unknown;
  markSent(intentId: string, ibOrderId: number, atMs: number): boolean;
  markNeverSent(intentId: string): boolean;
}

/** An intent the journal has not seen end. */
export interface UnresolvedIntent {
  readonly intent: Order["intent"];
  readonly status: string;
  readonly ibOrderId?: number;
  readonly sentAtMs?: number;
  readonly permId?: number;
}

/** What the execution client needs to follow an order it did not send itself. */
export interface TrackDetails {
  readonly symbol: string;
  readonly quantity: Decimal;
  readonly permId?: number;
  readonly sentAtMs?: number;
}

/** Why reconciliation runs: a start resolves a previous run's intents, a reconnect only this run's. */
export type ReconcileTrigger = "start" | "reconnect" | "ack-timeout";

/** A traded symbol whose position at the broker differs from the ledger's. */
export interface PositionMismatch {
  readonly symbol: string;
  readonly ours: Decimal;
  readonly broker: Decimal;
  /** IB's average cost, for adopting the broker's position. */
  readonly brokerAverageCost: Decimal;
}

/** What one reconciliation found and did. */
export interface ReconcileReport {
  readonly trigger: ReconcileTrigger;
  /** Executions of ours the journal did not have, now booked. */
  readonly missingFills: number;
  /** Intents the journal had as never sent but IB had: adopted with IB's order id. */
  readonly adopted: number;
  /** Intents IB never saw, sent again (start only, within the resend window). */
  readonly resent: number;
  /** Intents IB never saw and too old to send: ended as cancelled. */
  readonly expired: number;
  /** Orders that ended at IB while we were away (cancelled, inactive). */
  readonly ended: number;
  /** Open orders in the account that are not ours: reported, never touched. */
  readonly foreignOrders: number;
  readonly positionMismatches: readonly PositionMismatch[];
}

/** Collaborators of reconciliation. */
export interface ReconcilerOptions {
  readonly queries: BrokerQueries;
  readonly journal: ReconcileJournal;
  readonly orders: OrderManager;
  /** Lets the execution client follow an order found at IB (IbExecutionClient.track). */
  readonly track: (orderId: string, brokerOrderId: number, details: TrackDetails) => void;
  /** The ledger's signed position per symbol. */
  readonly ledgerQuantity: (symbol: string) => Decimal;
  /** Symbols the ledger holds a position in. */
  readonly ledgerSymbols: () => readonly string[];
  /** The account traded (full id; masked in logs). */
  readonly account: string;
  /** Symbols the strategy trades: their positions are compared; others are reported only. */
  readonly tradedSymbols: readonly string[];
  /** At start, an intent IB never saw is sent again when younger than this. */
  readonly resendWindowMs: number;
  /** After a reconnect, a sent order IB has no record of is declared lost once older than this. */
  readonly ackTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Brings the ledger and the journal in line with what IB says, before the strategy may trade: fills we
 * missed are booked once (by execId), intents left unresolved are matched to IB's orders by orderRef
 * (adopted, followed, ended, or — at start only — sent again when IB never saw them), foreign orders are
 * reported and never touched, and each traded symbol's position is compared with IB's. Every execution IB
 * still reports is asked for (IB Gateway keeps only today's): a time filter would rely on this host's clock
 * agreeing with TWS's.
 */
export class Reconciler {
  private readonly reportedForeign = new Set<number>();

  constructor(private readonly options: ReconcilerOptions) {}

  async reconcile(trigger: ReconcileTrigger): Promise<ReconcileReport> {
    const { queries, journal, account } = this.options;
    const counts = { missingFills: 0, adopted: 0, resent: 0, expired: 0, ended: 0, foreignOrders: 0 };
    const [openOrders, completedOrders, executions] = await Promise.all([
      queries.openOrders(),
      queries.completedOrders(),
      queries.executions(account, undefined),
    ]);
    counts.missingFills += this.bookMissingFills(executions);
    const ours = this.ourOrdersByRef([...completedOrders, ...openOrders]);
    counts.foreignOrders = this.reportForeign(openOrders);
    const executedRefs = new Map<string, BrokerExecution>();
    for (const execution of executions) executedRefs.set(execution.fill.orderId, execution);

    for (const stored of journal.unresolvedIntents()) {
      const orderId = stored.intent.intentId;
      const found = ours.get(orderId);
      const executed = executedRefs.get(orderId);
      if (found !== undefined || executed !== undefined) {
        // Completed orders come back with order id 0; an execution or the journal has the real one.
        const brokerOrderId =
          [found?.brokerOrderId, executed?.brokerOrderId, stored.ibOrderId].find(
            (id): id is number => id !== undefined && id > 0,
          ) ?? 0;
        if (stored.status === "written" && brokerOrderId > 0) {
          journal.markSent(orderId, brokerOrderId, this.options.clock.nowMs());
          counts.adopted += 1;
        }
        if (brokerOrderId > 0) {
          const permId = found?.permId ?? executed?.permId ?? stored.permId;
          this.options.track(orderId, brokerOrderId, {
            symbol: stored.intent.symbol,
            quantity: stored.intent.quantity,
            ...(permId === undefined || permId <= 0 ? {} : { permId }),
            ...(stored.sentAtMs === undefined ? {} : { sentAtMs: stored.sentAtMs }),
          });
        }
        if (found !== undefined && this.followBrokerState(orderId, found)) counts.ended += 1;
        continue;
      }
      this.resolveUnseen(trigger, stored, counts);
    }

    const positionMismatches = await this.comparePositions();
    const report: ReconcileReport = Object.freeze({ trigger, ...counts, positionMismatches });
    this.options.logger.info(
      {
        event: "reconcile.done",
        trigger,
        ...counts,
        positionMismatches: positionMismatches.length,
        account: maskAccountId(account),
      },
      "reconciliation done",
    );
    return report;
  }

  /** Feeds executions of our orders the journal lacks through the order manager; returns how many. */
  private bookMissingFills(executions: readonly BrokerExecution[]): number {
    const { journal, orders, account } = this.options;
    let booked = 0;
    for (const execution of executions) {
      const { fill } = execution;
      if (execution.account !== account || journal.intent(fill.orderId) === undefined) continue;
      if (journal.fill(fill.fillId) !== undefined) continue;
      orders.applyReport({
        type: "filled",
        orderId: fill.orderId,
        fill,
        commissionPending: !execution.commissionReported,
        brokerOrderId: execution.brokerOrderId,
        permId: execution.permId,
      });
      if (journal.fill(fill.fillId) !== undefined) {
        booked += 1;
        this.options.logger.warn(
          {
            event: "reconcile.missing_fill",
            orderId: fill.orderId,
            execId: fill.fillId,
            symbol: fill.symbol,
          },
          "booked an execution missed while away",
        );
      }
    }
    return booked;
  }

  private ourOrdersByRef(orders: readonly BrokerOrder[]): Map<string, BrokerOrder> {
    const { journal, account } = this.options;
    const ours = new Map<string, BrokerOrder>();
    for (const order of orders) {
      const ref = order.orderRef;
      if (ref === undefined || order.account !== account || journal.intent(ref) === undefined) continue;
      ours.set(ref, order); // open orders come last, so the live state wins over a completed one
    }
    return ours;
  }

  private reportForeign(openOrders: readonly BrokerOrder[]): number {
    const { journal, logger } = this.options;
    let foreign = 0;
    for (const order of openOrders) {
      if (order.orderRef !== undefined && journal.intent(order.orderRef) !== undefined) continue;
      foreign += 1;
      if (this.reportedForeign.has(order.permId)) continue;
      this.reportedForeign.add(order.permId);
      logger.warn(
        {
          event: "reconcile.foreign_order",
          account: maskAccountId(order.account),
          ibOrderId: order.brokerOrderId,
          permId: order.permId,
          clientId: order.clientId,
          symbol: order.symbol,
          side: order.side,
          quantity: order.quantity.toString(),
          status: order.brokerStatus,
        },
        "an open order that is not ours: left alone",
      );
    }
    return foreign;
  }

  /** Applies what IB says about one of our orders; true when that ended it. */
  private followBrokerState(orderId: string, found: BrokerOrder): boolean {
    const { orders, clock } = this.options;
    const time = clock.nowMs();
    const order = orders.order(orderId);
    switch (found.state) {
      case "pending":
      case "working":
      case "pending-cancel":
      case "filled":
        orders.applyReport({ type: "accepted", orderId, time, permId: found.permId });
        if (found.state === "filled" && orders.order(orderId)?.status !== "Filled") {
          this.options.logger.error(
            {
              event: "reconcile.fills_missing",
              orderId,
              ibOrderId: found.brokerOrderId,
              ibFilled: found.filledQuantity.toString(),
              booked: (order?.filledQuantity ?? new Decimal(0)).toString(),
            },
            "IB reports the order filled but not all its executions were found (IB Gateway keeps only today's)",
          );
        }
        return false;
      case "cancelled":
        orders.applyReport({
          type: "cancelled",
          orderId,
          reason: `cancelled at IB (${found.brokerStatus}) while we were away`,
          time,
        });
        return true;
      case "inactive":
        orders.applyReport({
          type: "rejected",
          orderId,
          reason: `inactive at IB (${found.brokerStatus}): rejected or held`,
          time,
        });
        return true;
    }
  }

  /** An unresolved intent IB has no order and no execution for. */
  private resolveUnseen(
    trigger: ReconcileTrigger,
    stored: UnresolvedIntent,
    counts: { resent: number; expired: number },
  ): void {
    const { journal, orders, clock, logger, resendWindowMs, ackTimeoutMs } = this.options;
    const orderId = stored.intent.intentId;
    const now = clock.nowMs();
    if (trigger === "start") {
      // The previous run died before this order left the process: IB would list it otherwise.
      if (stored.status === "acknowledged") {
        logger.error(
          { event: "reconcile.order_vanished", orderId, ibOrderId: stored.ibOrderId, permId: stored.permId },
          "IB acknowledged this order once but no longer reports it; it is left open for the next check",
        );
        return;
      }
      const ageMs = now - stored.intent.createdAt;
      if (ageMs <= resendWindowMs) {
        if (stored.status === "sent") journal.markNeverSent(orderId);
        orders.resend(orderId);
        counts.resent += 1;
        logger.warn(
          { event: "reconcile.resent", orderId, ageMs, previousIbOrderId: stored.ibOrderId },
          "IB never saw this order: sent again",
        );
      } else {
        orders.expire(
          orderId,
          `expired: it never reached IB and is ${Math.round(ageMs / 1000)} s old, older than ORDER_RESEND_WINDOW`,
        );
        counts.expired += 1;
      }
      return;
    }
    // During a run an order is sent synchronously; one IB does not know after the ack timeout is lost.
    const sentAt = stored.sentAtMs ?? stored.intent.createdAt;
    if (stored.status === "sent" && now - sentAt >= ackTimeoutMs) {
      orders.expire(orderId, "lost: IB has no record of it after a reconnect; not sent again");
      counts.expired += 1;
    }
  }

  /** Compares each traded (or held) symbol's position with IB's; asks twice before calling a difference. */
  private async comparePositions(): Promise<PositionMismatch[]> {
    let mismatches = this.differences(await this.options.queries.positions());
    if (mismatches.length > 0) {
      // A fill can land between IB's executions and positions answers: book it and look again once.
      this.bookMissingFills(await this.options.queries.executions(this.options.account, undefined));
      mismatches = this.differences(await this.options.queries.positions());
    }
    for (const mismatch of mismatches) {
      this.options.logger.error(
        {
          event: "reconcile.position_mismatch",
          symbol: mismatch.symbol,
          ours: mismatch.ours.toString(),
          broker: mismatch.broker.toString(),
        },
        "the ledger's position differs from IB's",
      );
    }
    return mismatches;
  }

  private differences(positions: readonly BrokerPosition[]): PositionMismatch[] {
    const { account, tradedSymbols, logger } = this.options;
    const broker = new Map<string, BrokerPosition>();
    for (const position of positions) {
      if (position.account === account) broker.set(position.symbol, position);
    }
    const compared = new Set([...tradedSymbols, ...this.options.ledgerSymbols()]);
    for (const [symbol, position] of broker) {
      if (!compared.has(symbol) && !position.quantity.isZero()) {
        logger.info(
          { event: "reconcile.untracked_position", symbol, quantity: position.quantity.toString() },
          "a position the strategy does not trade: left alone",
        );
      }
    }
    const mismatches: PositionMismatch[] = [];
    for (const symbol of [...compared].sort()) {
      const ours = this.options.ledgerQuantity(symbol);
      const position = broker.get(symbol);
      const theirs = position?.quantity ?? new Decimal(0);
      if (!ours.equals(theirs)) {
        mismatches.push(
          Object.freeze({
            symbol,
            ours,
            broker: theirs,
            brokerAverageCost: position?.averageCost ?? new Decimal(0),
          }),
        );
      }
    }
    return mismatches;
  }
}

/**
 * The open orders a previous run left, rebuilt from the journal with the fills already booked for them, so
 * the order manager can finish them.
 */
export function ordersFromJournal(intents: readonly UnresolvedIntent[], fills: readonly Fill[]): Order[] {
  return intents.map((stored) => {
    const { intent } = stored;
    const own = fills.filter((fill) => fill.orderId === intent.intentId);
    const base: Order = Object.freeze({
      ...newOrder(intent, {
        orderId: intent.intentId,
        strategy: intent.strategy,
        nowMs: intent.createdAt,
        status: stored.status === "acknowledged" ? "Accepted" : "PendingSubmit",
      }),
      intent,
    });
    if (own.length === 0) return base;
    let filled = new Decimal(0);
    let notional = new Decimal(0);
    let commission = new Decimal(0);
    for (const fill of own) {
      filled = filled.plus(fill.quantity);
      notional = notional.plus(fill.quantity.times(fill.price));
      commission = commission.plus(fill.commission);
    }
    return Object.freeze({
      ...base,
      status: "PartiallyFilled" as const,
      filledQuantity: filled,
      averageFillPrice: notional.dividedBy(filled),
      commission,
      updatedAt: Math.max(...own.map((fill) => fill.time)),
    });
  });
}
