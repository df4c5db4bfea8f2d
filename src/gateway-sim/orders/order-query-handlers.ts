import { OutgoingMessageId } from "../protocol/message-ids.js";
import {
  encodeCompletedOrdersEnd,
  encodeExecutionDataEnd,
  encodeOpenOrderEnd,
} from "../protocol/order-messages.js";
import { decodeExecutionFilter } from "../protocol/order-request-decoders.js";
import type { RequestHandler, SessionContext } from "../server/request-handler.js";
import { NO_VALID_ID } from "../server/session-notices.js";
import { matchesExecutionFilter } from "./execution-filter.js";
import { invalidRequest } from "./order-errors.js";
import type { OrderHandlerContext } from "./order-handlers.js";
import {
  commissionFrame,
  completedOrderFrame,
  executionFrame,
  openOrderFrame,
  orderStatusFrame,
} from "./order-reports.js";
import type { SimOrder } from "./sim-order.js";

/** REQ_OPEN_ORDERS, REQ_ALL_OPEN_ORDERS, REQ_AUTO_OPEN_ORDERS, REQ_COMPLETED_ORDERS and REQ_EXECUTIONS. */
export function createOrderQueryHandlers(context: OrderHandlerContext): [number, RequestHandler][] {
  const { accounts, scheduler } = context;

  /** OPEN_ORDER then ORDER_STATUS per order (openOrder first, ibkr-facts.md §6.16), then OPEN_ORDER_END. */
  const sendOpenOrders = (session: SessionContext, orders: readonly SimOrder[]): void => {
    for (const order of orders) {
      session.send(openOrderFrame(session.serverVersion, order));
      session.send(orderStatusFrame(session.serverVersion, order));
    }
    session.send(encodeOpenOrderEnd(session.serverVersion));
  };

  // This client's open orders (client 0 would also bind manual TWS orders; the simulator has none).
  const requestOpenOrders: RequestHandler = (request, session) => {
    request.readInt(); // version
    sendOpenOrders(
      session,
      accounts.openOrders().filter((order) => order.clientId === session.clientId),
    );
  };

  // Every client's open orders in the session's accounts, without binding (ibkr-facts.md §5.2).
  const requestAllOpenOrders: RequestHandler = (request, session) => {
    request.readInt(); // version
    sendOpenOrders(
      session,
      accounts.openOrders().filter((order) => session.accounts.includes(order.account)),
    );
  };

  // Only client 0 may auto-bind future TWS orders (ibkr-facts.md §5.2); the simulator has no manual TWS
  // orders to bind, so client 0 gets nothing. The facts do not give TWS's answer to other clients; 321
  // "Error validating request" is the code TWS uses for a request it refuses when validating it (§4).
  const requestAutoOpenOrders: RequestHandler = (request, session) => {
    request.readInt(); // version
    request.readBool(); // autoBind
    if (session.clientId !== 0) {
      session.sendError(
        invalidRequest(NO_VALID_ID, "reqAutoOpenOrders can only be used by the API client with client id 0"),
      );
    }
  };

  // COMPLETED_ORDER for each order of the session's accounts that has ended, then COMPLETED_ORDERS_END.
  const requestCompletedOrders: RequestHandler = (request, session) => {
    request.readBool(); // apiOnly: every simulated order comes from the API
    for (const order of accounts.completedOrders()) {
      if (session.accounts.includes(order.account))
        session.send(completedOrderFrame(session.serverVersion, order));
    }
    session.send(encodeCompletedOrdersEnd(session.serverVersion));
  };

  // The day's executions that pass the filter, each with its commission report, then EXECUTION_DATA_END.
  const requestExecutions: RequestHandler = (request, session) => {
    const filter = decodeExecutionFilter(request, session.serverVersion);
    const now = scheduler.clock.nowMs();
    for (const execution of accounts.executions()) {
      if (!session.accounts.includes(execution.account)) continue;
      if (!matchesExecutionFilter(execution, filter, now)) continue;
      session.send(executionFrame(session.serverVersion, filter.reqId, execution));
      session.send(commissionFrame(session.serverVersion, execution));
    }
    session.send(encodeExecutionDataEnd(session.serverVersion, filter.reqId));
  };

  return [
    [OutgoingMessageId.REQ_OPEN_ORDERS, requestOpenOrders],
    [OutgoingMessageId.REQ_ALL_OPEN_ORDERS, requestAllOpenOrders],
    [OutgoingMessageId.REQ_AUTO_OPEN_ORDERS, requestAutoOpenOrders],
    [OutgoingMessageId.REQ_COMPLETED_ORDERS, requestCompletedOrders],
    [OutgoingMessageId.REQ_EXECUTIONS, requestExecutions],
  ];
}
