import { Decimal } from "decimal.js";
import type { InstrumentUniverse } from "../market/instrument-universe.js";
import type { MarketModel } from "../market/market-model.js";
import type { CancelTask, SimScheduler } from "../market/sim-scheduler.js";
import type { PlaceOrderRequest } from "../protocol/place-order-request.js";
import type { TwsErrorMessage } from "../protocol/server-messages.js";
import type { SessionContext } from "../server/request-handler.js";
import type { AccountBook } from "./account-book.js";
import type { AccountValuer } from "./account-valuation.js";
import { bookExecution } from "./book-execution.js";
import { executablePrice, isStopTriggered } from "./executable-price.js";
import { FillReporter } from "./fill-reporter.js";
import {
  cancelTargetNotFound,
  cannotCancel,
  cannotModifyFilledOrder,
  duplicateOrderId,
  insufficientFunds,
  insufficientFundsReason,
  modifyDoesNotMatch,
  orderCancelled,
} from "./order-errors.js";
import { openOrderFrame, orderStatusFrame } from "./order-reports.js";
import { dayOrderExpiry, isMarketOpen, nextCheckMs } from "./order-session-rules.js";
import type { ResolvedOrderSimOptions } from "./order-sim-options.js";
import { checkPlaceOrder, type OrderSpec } from "./order-validation.js";
import type { SessionHub } from "./session-hub.js";
import { isActive, isOpen, remainingQuantity, type SimOrder } from "./sim-order.js";

/** Everything the engine works with. */
export interface OrderEngineDeps {
  readonly universe: InstrumentUniverse;
  readonly model: MarketModel;
  readonly scheduler: SimScheduler;
  readonly accounts: AccountBook;
  readonly valuer: AccountValuer;
  readonly sessions: SessionHub;
  readonly options: ResolvedOrderSimOptions;
}

/** An account whose cash or positions changed (after an execution). */
export interface AccountChanged {
  readonly account: string;
  readonly conId: number;
}

/**
 * The order lifecycle as TWS reports it (ibkr-facts.md §5.1): acceptance (OPEN_ORDER then ORDER_STATUS,
 * openOrder first because IBApiNext drops statuses of unseen permIds, §6.16), working, executions against
 * the market model's quote (ask for buys, bid for sells), commission reports, cancels, DAY expiry at the
 * close, rejections. Resting orders are checked on the model's 5-second grid through the SimScheduler;
 * outside regular hours orders wait for the next session's open.
 */
export class OrderEngine {
  private readonly deps: OrderEngineDeps;
  private readonly fills: FillReporter;
  private readonly listeners = new Set<(change: AccountChanged) => void>();
  private cancelCheck: CancelTask | undefined;
  private checkAtMs = Number.POSITIVE_INFINITY;

  constructor(deps: OrderEngineDeps) {
    this.deps = deps;
    this.fills = new FillReporter(deps.sessions, deps.options.faults, deps.scheduler);
  }

  /** Calls `listener` after every execution; returns the function that stops it. */
  onAccountChanged(listener: (change: AccountChanged) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private now(): number {
    return this.deps.scheduler.clock.nowMs();
  }

  /** PLACE_ORDER: a new order, or a modification when the id is one of the client's open orders. */
  place(session: SessionContext, request: PlaceOrderRequest): void {
    const { accounts } = this.deps;
    const { clientId } = session;
    const { orderId } = request;
    const existing = accounts.order(clientId, orderId);
    if (existing !== undefined && isOpen(existing)) {
      this.modify(session, existing, request);
      return;
    }
    if (existing?.status === "Filled") {
      session.sendError(cannotModifyFilledOrder(orderId));
      return;
    }
    if (existing !== undefined || orderId < accounts.orderIds.nextValidId(clientId)) {
      session.sendError(duplicateOrderId(orderId));
      return;
    }
    accounts.orderIds.markUsed(clientId, orderId);
    const check = checkPlaceOrder(request, this.deps.universe, session.accounts);
    if (!check.ok) {
      session.sendError(check.error);
      return;
    }
    const order = this.newOrder(session, orderId, check.spec);
    accounts.addOrder(order);
    if (!order.transmitted) {
      // Order.transmit = false keeps the order in TWS, held (ibkr-facts.md §5.2): Inactive until transmitted.
      order.status = "Inactive";
      this.report(order);
      return;
    }
    const shortfall = this.fundsShortfall(order);
    if (shortfall !== undefined) {
      this.reject(order, shortfall);
      return;
    }
    order.status = "PreSubmitted";
    this.report(order);
    this.evaluate(order);
    this.reschedule();
  }

  /** CANCEL_ORDER of one of the client's orders: PendingCancel, then Cancelled and error 202 (§5.1). */
  cancel(session: SessionContext, orderId: number): void {
    const order = this.deps.accounts.order(session.clientId, orderId);
    if (order === undefined) {
      session.sendError(cancelTargetNotFound(orderId));
      return;
    }
    if (!isOpen(order)) {
      session.sendError(cannotCancel(orderId, order.status));
      return;
    }
    this.cancelOrder(order);
  }

  /** REQ_GLOBAL_CANCEL: cancels every open order of every client. */
  cancelAll(): void {
    for (const order of this.deps.accounts.openOrders()) this.cancelOrder(order);
  }

  private cancelOrder(order: SimOrder): void {
    const { sessions } = this.deps;
    order.status = "PendingCancel";
    sessions.sendTo(order.clientId, (version) => orderStatusFrame(version, order));
    this.complete(order, "Cancelled", "Cancelled by Trader");
    sessions.sendTo(order.clientId, (version) => orderStatusFrame(version, order));
    this.sendError(order, orderCancelled(order.orderId));
    this.reschedule();
  }

  private modify(session: SessionContext, order: SimOrder, request: PlaceOrderRequest): void {
    const check = checkPlaceOrder(request, this.deps.universe, session.accounts);
    if (!check.ok) {
      session.sendError(check.error);
      return;
    }
    const { spec } = check;
    const same =
      spec.instrument.conId === order.instrument.conId &&
      spec.action === order.action &&
      spec.orderType === order.orderType &&
      spec.account === order.account &&
      spec.tif === order.tif;
    if (!same || spec.totalQuantity.lessThan(order.filled)) {
      session.sendError(modifyDoesNotMatch(order.orderId));
      return;
    }
    order.totalQuantity = spec.totalQuantity;
    order.lmtPrice = spec.lmtPrice;
    order.auxPrice = spec.auxPrice;
    if (!order.transmitted && spec.transmit) {
      order.transmitted = true;
      order.fillableFromMs = this.now() + this.deps.options.fillDelayMs;
      const shortfall = this.fundsShortfall(order);
      if (shortfall !== undefined) {
        this.reject(order, shortfall);
        return;
      }
      order.status = "PreSubmitted";
    }
    this.report(order);
    this.evaluate(order);
    this.reschedule();
  }

  private newOrder(session: SessionContext, orderId: number, spec: OrderSpec): SimOrder {
    const now = this.now();
    return {
      permId: this.deps.accounts.newPermId(),
      orderId,
      clientId: session.clientId,
      account: spec.account,
      instrument: spec.instrument,
      exchange: spec.exchange,
      action: spec.action,
      orderType: spec.orderType,
      tif: spec.tif,
      orderRef: spec.orderRef,
      outsideRth: spec.outsideRth,
      placedAtMs: now,
      totalQuantity: spec.totalQuantity,
      lmtPrice: spec.lmtPrice,
      auxPrice: spec.auxPrice,
      transmitted: spec.transmit,
      status: "PreSubmitted",
      filled: new Decimal(0),
      filledValue: new Decimal(0),
      lastFillPrice: 0,
      commission: new Decimal(0),
      triggered: false,
      fillableFromMs: now + this.deps.options.fillDelayMs,
      expiresAtMs: spec.tif === "DAY" ? dayOrderExpiry(now) : undefined,
      warningText: "",
      completedAtMs: undefined,
      completedStatus: "",
    };
  }

  /**
   * Why the account cannot take the order, when it would open more exposure than the available funds
   * (net liquidation − gross position value: the simulator models a cash account without leverage).
   */
  private fundsShortfall(order: SimOrder): { equityWithLoan: string; initialMargin: string } | undefined {
    const { accounts, valuer, model } = this.deps;
    const now = this.now();
    const ledger = accounts.ledger(order.account);
    const held = ledger.position(order.instrument.conId)?.quantity ?? new Decimal(0);
    const signedOrder = order.action === "BUY" ? order.totalQuantity : order.totalQuantity.negated();
    const opening = held.plus(signedOrder).abs().minus(held.abs());
    if (!opening.isPositive() || opening.isZero()) return undefined;
    const quote = model.quote(order.instrument.symbol, now);
    const price = order.lmtPrice ?? order.auxPrice ?? (order.action === "BUY" ? quote.ask : quote.bid);
    const margin = opening.times(price);
    const valuation = valuer.value(ledger, now);
    if (margin.lessThanOrEqualTo(valuation.availableFunds)) return undefined;
    return {
      equityWithLoan: valuation.netLiquidation.toFixed(2),
      initialMargin: valuation.initialMargin.plus(margin).toFixed(2),
    };
  }

  /** Inactive with the 201 reason as warning text: OPEN_ORDER, ORDER_STATUS, then the error. */
  private reject(order: SimOrder, shortfall: { equityWithLoan: string; initialMargin: string }): void {
    const reason = insufficientFundsReason(shortfall.equityWithLoan, shortfall.initialMargin);
    this.complete(order, "Inactive", reason);
    order.warningText = reason;
    this.report(order);
    this.sendError(
      order,
      insufficientFunds(order.orderId, shortfall.equityWithLoan, shortfall.initialMargin),
    );
  }

  private complete(order: SimOrder, status: "Filled" | "Cancelled" | "Inactive", text: string): void {
    order.status = status;
    order.completedAtMs = this.now();
    order.completedStatus = text;
  }

  /** OPEN_ORDER then ORDER_STATUS for the order's state, to its client. */
  private report(order: SimOrder): void {
    const { sessions } = this.deps;
    sessions.sendTo(order.clientId, (version) => openOrderFrame(version, order));
    sessions.sendTo(order.clientId, (version) => orderStatusFrame(version, order));
  }

  private sendError(order: SimOrder, error: TwsErrorMessage): void {
    this.deps.sessions.sessionOf(order.clientId)?.sendError(error);
  }

  /** Moves a working order on at the current time: Submitted at the open, executions when marketable. */
  private evaluate(order: SimOrder): void {
    const now = this.now();
    if (!isActive(order) || !order.transmitted || order.status === "PendingCancel") return;
    if (order.expiresAtMs !== undefined && now >= order.expiresAtMs) {
      this.complete(order, "Cancelled", "Cancelled by System");
      this.deps.sessions.sendTo(order.clientId, (version) => orderStatusFrame(version, order));
      return;
    }
    if (!isMarketOpen(now)) return;
    const resting = order.status === "Submitted";
    if (order.orderType === "LMT" && order.status === "PreSubmitted") {
      order.status = "Submitted";
      this.report(order);
    }
    if (now < order.fillableFromMs) return;
    const quote = this.deps.model.quote(order.instrument.symbol, now);
    order.triggered ||= isStopTriggered(order, quote);
    const price = executablePrice(order, quote);
    if (price === undefined) return;
    const remaining = remainingQuantity(order);
    const chunk = this.deps.options.partialFills
      ? order.totalQuantity.dividedBy(2).ceil()
      : order.totalQuantity;
    this.execute(order, Decimal.min(remaining, chunk), price, resting && order.orderType === "LMT" ? 1 : 2);
  }

  private execute(order: SimOrder, shares: Decimal, price: number, lastLiquidity: number): void {
    const { accounts, options } = this.deps;
    const execution = bookExecution({
      order,
      shares,
      price,
      lastLiquidity,
      timeMs: this.now(),
      accounts,
      feeModel: options.feeModel,
    });
    const done = remainingQuantity(order).isZero();
    if (done) this.complete(order, "Filled", `Filled Size: ${order.filled.toString()}`);
    else order.status = "Submitted";

    this.fills.report(order, execution, done);
    for (const listener of [...this.listeners]) {
      listener({ account: order.account, conId: order.instrument.conId });
    }
  }

  /** Runs the due checks and keeps exactly one scheduler task for the next one while orders work. */
  private reschedule(): void {
    const now = this.now();
    const working = this.deps.accounts.openOrders().filter((order) => isActive(order) && order.transmitted);
    const next = working.length === 0 ? Number.POSITIVE_INFINITY : nextCheckMs(now, working);
    if (next === this.checkAtMs) return;
    this.cancelCheck?.();
    this.cancelCheck = undefined;
    this.checkAtMs = next;
    if (next === Number.POSITIVE_INFINITY) return;
    this.cancelCheck = this.deps.scheduler.at(next, () => {
      this.checkAtMs = Number.POSITIVE_INFINITY;
      this.cancelCheck = undefined;
      for (const order of this.deps.accounts.openOrders()) this.evaluate(order);
      this.reschedule();
    });
  }
}
