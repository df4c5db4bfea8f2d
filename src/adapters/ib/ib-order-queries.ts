import { Decimal } from "decimal.js";
import {
  EventName,
  OrderAction,
  type CommissionReport,
  type Contract,
  type Execution,
  type IBApi,
  type Order as IbOrder,
  type OrderState,
} from "@stoqey/ib";
import type { Logger } from "pino";
import { GatewayError } from "../../core/errors.js";
import type { Scheduler } from "../../core/scheduler.js";
import type {
  BrokerExecution,
  BrokerOrder,
  BrokerOrderState,
  BrokerPosition,
  BrokerQueries,
} from "../../execution/broker-port.js";
import type { Fill } from "../../model/fill.js";
import type { IbConnection } from "./ib-connection.js";
import { parseIbExecutionTime } from "./ib-order-mapping.js";

/** The part of IbConnection the order adapters use (a fake in unit tests). */
export type IbOrderConnection = Pick<
  IbConnection,
  "state" | "where" | "requireReady" | "events" | "allocateRequestId" | "onRequestError" | "onSessionEnd"
>;

/** Everything IbOrderQueries needs; times in milliseconds of the scheduler's clock. */
export interface IbOrderQueriesOptions {
  readonly connection: IbOrderConnection;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** How long one query may wait for its end message. */
  readonly timeoutMs: number;
  /** TWS's login time zone, for execution times sent without a zone; default America/New_York. */
  readonly executionTimeZone?: string;
}

const STATES: Readonly<Record<string, BrokerOrderState>> = {
  ApiPending: "pending",
  PendingSubmit: "pending",
  PreSubmitted: "working",
  Submitted: "working",
  PendingCancel: "pending-cancel",
  Filled: "filled",
  Cancelled: "cancelled",
  ApiCancelled: "cancelled",
  Inactive: "inactive",
};

/** Our reduction of an IB order status (ibkr-facts.md §5.1); an unknown status counts as not yet confirmed. */
export function brokerOrderStateOf(status: string | undefined): BrokerOrderState {
  return STATES[status ?? ""] ?? "pending";
}

/** A reqExecutions filter time: `yyyymmdd-hh:mm:ss` in UTC (IB's EClient comment, ibkr-facts.md §5.3). */
export function ibExecutionFilterTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 19)}`;
}

/** One query in flight: what it listens to and how it is sent. */
interface OneShot<T> {
  /** For messages: "open orders (reqAllOpenOrders)". */
  readonly what: string;
  /** Registers the query's listeners; returns the function that removes them. */
  listen(events: IBApi, finish: (result: T) => void, fail: (error: GatewayError) => void): () => void;
  send(api: IBApi): void;
}

type Kind = "open-orders" | "completed-orders" | "positions";

/**
 * Reconciliation's questions to IB, each a one-shot request with a timeout (GATEWAY_TIMEOUT) that fails with
 * GATEWAY_DISCONNECTED when the session ends first. Open orders, completed orders and positions answer
 * without a request id, so two queries of one kind never overlap (each waits for the one before).
 * Everything IB sends is copied into our own frozen types at once (the library mutates its objects).
 */
export class IbOrderQueries implements BrokerQueries {
  private readonly options: IbOrderQueriesOptions;
  private readonly tails = new Map<Kind, Promise<unknown>>();

  constructor(options: IbOrderQueriesOptions) {
    this.options = options;
  }

  /** reqAllOpenOrders: openOrder and orderStatus per order, until openOrderEnd. */
  openOrders(): Promise<readonly BrokerOrder[]> {
    return this.serial("open-orders", () =>
      this.run<readonly BrokerOrder[]>({
        what: "open orders (reqAllOpenOrders)",
        listen: (events, finish) => {
          const orders = new Map<string, BrokerOrder>();
          const onOpenOrder = (
            orderId: number,
            contract: Contract,
            order: IbOrder,
            state: OrderState,
          ): void => {
            const copy = brokerOrderOf(orderId, contract, order, state.status, order.filledQuantity ?? 0);
            const key = keyOf(copy.permId, copy.clientId, copy.brokerOrderId);
            const known = orders.get(key);
            // A later openOrder must not undo the filled quantity an orderStatus brought.
            orders.set(
              key,
              known === undefined
                ? copy
                : Object.freeze({
                    ...copy,
                    filledQuantity: Decimal.max(known.filledQuantity, copy.filledQuantity),
                  }),
            );
          };
          const onOrderStatus = (
            orderId: number,
            status: string,
            filled: number,
            _remaining: number,
            _avgFillPrice: number,
            permId?: number,
            _parentId?: number,
            _lastFillPrice?: number,
            clientId?: number,
          ): void => {
            const key = keyOf(permId ?? 0, clientId ?? 0, orderId);
            const known = orders.get(key);
            if (known === undefined) return;
            orders.set(
              key,
              Object.freeze({
                ...known,
                filledQuantity: new Decimal(filled),
                state: brokerOrderStateOf(status),
                brokerStatus: status,
              }),
            );
          };
          const onEnd = (): void => {
            finish(Object.freeze([...orders.values()]));
          };
          events.on(EventName.openOrder, onOpenOrder);
          events.on(EventName.orderStatus, onOrderStatus);
          events.on(EventName.openOrderEnd, onEnd);
          return () => {
            events.off(EventName.openOrder, onOpenOrder);
            events.off(EventName.orderStatus, onOrderStatus);
            events.off(EventName.openOrderEnd, onEnd);
          };
        },
        send: (api) => {
          api.reqAllOpenOrders();
        },
      }),
    );
  }

  /**
   * reqCompletedOrders(apiOnly): completedOrder per order, until completedOrdersEnd. IB sends no order id
   * or client id with these (brokerOrderId and clientId are 0), and reports the unfilled rest as
   * totalQuantity (a real capture of a filled order: totalQuantity 0, filledQuantity 100), so the order's
   * size is the sum of the two.
   */
  completedOrders(): Promise<readonly BrokerOrder[]> {
    return this.serial("completed-orders", () =>
      this.run<readonly BrokerOrder[]>({
        what: "completed orders (reqCompletedOrders)",
        listen: (events, finish) => {
          const orders: BrokerOrder[] = [];
          const onCompleted = (contract: Contract, order: IbOrder, state: OrderState): void => {
            const filled = order.filledQuantity ?? 0;
            const copy = brokerOrderOf(order.orderId ?? 0, contract, order, state.status, filled);
            orders.push(Object.freeze({ ...copy, quantity: copy.quantity.plus(filled) }));
          };
          const onEnd = (): void => {
            finish(Object.freeze([...orders]));
          };
          events.on(EventName.completedOrder, onCompleted);
          events.on(EventName.completedOrdersEnd, onEnd);
          return () => {
            events.off(EventName.completedOrder, onCompleted);
            events.off(EventName.completedOrdersEnd, onEnd);
          };
        },
        send: (api) => {
          api.reqCompletedOrders(true);
        },
      }),
    );
  }

  /**
   * reqExecutions for `account` since `sinceMs`: execDetails for our request id until execDetailsEnd, each
   * paired with its commissionReport by execId (those carry no request id). IB Gateway only keeps the
   * current day (ibkr-facts.md §5.3).
   */
  executions(account: string, sinceMs: number | undefined): Promise<readonly BrokerExecution[]> {
    const zone = this.options.executionTimeZone ?? "America/New_York";
    const reqId = this.options.connection.allocateRequestId();
    return this.run<readonly BrokerExecution[]>({
      what: "executions (reqExecutions)",
      listen: (events, finish, fail) => {
        const found = new Map<string, BrokerExecution>();
        const commissions = new Map<string, Decimal>();
        const onExecution = (id: number, contract: Contract, execution: Execution): void => {
          if (id !== reqId) return;
          const copy = this.brokerExecutionOf(contract, execution, zone);
          if (copy === undefined || found.has(copy.fill.fillId)) return;
          found.set(copy.fill.fillId, copy);
        };
        const onCommission = (report: CommissionReport): void => {
          const commission = commissionOf(report);
          if (report.execId !== undefined && commission !== undefined)
            commissions.set(report.execId, commission);
        };
        const onEnd = (id: number): void => {
          if (id !== reqId) return;
          finish(
            Object.freeze(
              [...found.values()].map((execution) => {
                const commission = commissions.get(execution.fill.fillId);
                if (commission === undefined) return execution;
                return Object.freeze({
                  ...execution,
                  fill: Object.freeze({ ...execution.fill, commission }),
                  commissionReported: true,
                });
              }),
            ),
          );
        };
        const stopErrors = this.options.connection.onRequestError(reqId, (code, message) => {
          if ((code >= 2100 && code < 3000) || /^\s*warning:/i.test(message)) return;
          fail(
            new GatewayError("IB_REQUEST_REJECTED", `executions request refused: IB ${code} ${message}`, {
              ibCode: code,
            }),
          );
        });
        events.on(EventName.execDetails, onExecution);
        events.on(EventName.commissionReport, onCommission);
        events.on(EventName.execDetailsEnd, onEnd);
        return () => {
          stopErrors();
          events.off(EventName.execDetails, onExecution);
          events.off(EventName.commissionReport, onCommission);
          events.off(EventName.execDetailsEnd, onEnd);
        };
      },
      send: (api) => {
        api.reqExecutions(reqId, {
          clientId: "0",
          acctCode: account,
          time: sinceMs === undefined ? "" : ibExecutionFilterTime(sinceMs),
        });
      },
    });
  }

  /**
   * reqPositions: position per account and contract until positionEnd, then cancelPositions (the request
   * would otherwise stay subscribed to every later change).
   */
  positions(): Promise<readonly BrokerPosition[]> {
    return this.serial("positions", () =>
      this.run<readonly BrokerPosition[]>({
        what: "positions (reqPositions)",
        listen: (events, finish) => {
          const positions = new Map<string, BrokerPosition>();
          const onPosition = (
            account: string,
            contract: Contract,
            position: number,
            avgCost?: number,
          ): void => {
            const copy: BrokerPosition = Object.freeze({
              account,
              symbol: contract.symbol ?? "",
              conId: contract.conId ?? 0,
              quantity: new Decimal(position),
              averageCost: new Decimal(avgCost ?? 0),
            });
            positions.set(`${account}:${copy.conId}`, copy);
          };
          const onEnd = (): void => {
            const state = this.options.connection.state;
            if (state.status === "ready") this.options.connection.requireReady().api.cancelPositions();
            finish(Object.freeze([...positions.values()]));
          };
          events.on(EventName.position, onPosition);
          events.on(EventName.positionEnd, onEnd);
          return () => {
            events.off(EventName.position, onPosition);
            events.off(EventName.positionEnd, onEnd);
          };
        },
        send: (api) => {
          api.reqPositions();
        },
      }),
    );
  }

  /** Runs `query` after every earlier query of the same kind has settled. */
  private serial<T>(kind: Kind, query: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(kind) ?? Promise.resolve();
    const next = previous.then(query);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(kind, tail);
    void tail.then(() => {
      if (this.tails.get(kind) === tail) this.tails.delete(kind);
    });
    return next;
  }

  /** Sends one query through the connection's gate and settles it once: answer, timeout or session end. */
  private run<T>(query: OneShot<T>): Promise<T> {
    const { connection, scheduler, timeoutMs, logger } = this.options;
    return new Promise<T>((resolve, reject) => {
      let api: IBApi;
      try {
        api = connection.requireReady().api;
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      let settled = false;
      const cleanups: (() => void)[] = [];
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        for (const cleanup of cleanups.splice(0)) cleanup();
        outcome();
      };
      const fail = (error: GatewayError): void => {
        settle(() => {
          logger.warn({ event: "broker.query_failed", query: query.what, code: error.code }, error.message);
          reject(error);
        });
      };
      cleanups.push(
        query.listen(
          connection.events,
          (result) => {
            settle(() => {
              resolve(result);
            });
          },
          fail,
        ),
      );
      cleanups.push(
        connection.onSessionEnd((reason) => {
          fail(
            new GatewayError(
              "GATEWAY_DISCONNECTED",
              `${query.what} lost: the connection to ${connection.where} ended (${reason}); it is asked again after the reconnect`,
            ),
          );
        }),
      );
      cleanups.push(
        scheduler.setTimer(timeoutMs, () => {
          fail(
            new GatewayError(
              "GATEWAY_TIMEOUT",
              `${query.what} got no answer from ${connection.where} in ${timeoutMs} ms: check that TWS / IB Gateway is logged in and responsive (no open dialog)`,
            ),
          );
        }),
      );
      try {
        query.send(api);
      } catch (error) {
        settle(() => {
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      }
    });
  }

  private brokerExecutionOf(
    contract: Contract,
    execution: Execution,
    zone: string,
  ): BrokerExecution | undefined {
    const { execId, shares, price } = execution;
    if (execId === undefined || shares === undefined || price === undefined) return undefined;
    let timeMs = execution.time === undefined ? undefined : parseIbExecutionTime(execution.time, zone);
    if (timeMs === undefined) {
      this.options.logger.warn(
        { event: "broker.execution_time_unreadable", execId, time: execution.time },
        "IB sent an execution time we cannot read; using the time it arrived",
      );
      timeMs = this.options.scheduler.nowMs();
    }
    const fill: Fill = Object.freeze({
      fillId: execId,
      orderId: execution.orderRef ?? "",
      symbol: contract.symbol ?? "",
      side: execution.side === "SLD" ? "SELL" : "BUY",
      quantity: new Decimal(shares),
      price: new Decimal(price),
      commission: new Decimal(0),
      time: timeMs,
    });
    return Object.freeze({
      fill,
      account: execution.acctNumber ?? "",
      brokerOrderId: execution.orderId ?? 0,
      permId: execution.permId ?? 0,
      commissionReported: false,
    });
  }
}

/** IB's commission of a report, or undefined when it is unset (IB's max-double marker). */
export function commissionOf(report: CommissionReport): Decimal | undefined {
  const { commission } = report;
  if (commission === undefined || !Number.isFinite(commission) || Math.abs(commission) > 1e300)
    return undefined;
  return new Decimal(commission);
}

function keyOf(permId: number, clientId: number, orderId: number): string {
  return permId > 0 ? `perm:${permId}` : `id:${clientId}:${orderId}`;
}

function brokerOrderOf(
  orderId: number,
  contract: Contract,
  order: IbOrder,
  status: string | undefined,
  filled: number,
): BrokerOrder {
  const orderRef = order.orderRef === undefined || order.orderRef === "" ? undefined : order.orderRef;
  return Object.freeze({
    brokerOrderId: orderId,
    permId: order.permId ?? 0,
    orderRef,
    clientId: order.clientId ?? 0,
    account: order.account ?? "",
    symbol: contract.symbol ?? "",
    conId: contract.conId ?? 0,
    side: order.action === OrderAction.BUY ? "BUY" : "SELL",
    quantity: new Decimal(order.totalQuantity ?? 0),
    filledQuantity: new Decimal(filled),
    state: brokerOrderStateOf(status),
    brokerStatus: status ?? "",
  });
}
