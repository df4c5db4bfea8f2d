import {
  EventName,
  type CommissionReport,
  type Contract,
  type Execution,
  type IBApi,
  type Order as IbOrder,
  type OrderState,
} from "@stoqey/ib";
import type { IbFillTracker } from "./ib-fill-tracker.js";
import type { IbOrderStatusReducer } from "./ib-order-status-reducer.js";

/** Who takes the raw order events of the library. */
export interface IbOrderEventHandlers {
  readonly statuses: Pick<IbOrderStatusReducer, "onOpenOrder" | "onOrderStatus">;
  readonly fills: Pick<IbFillTracker, "onExecution" | "onCommission">;
}

/**
 * Subscribes the handlers to the library's openOrder, orderStatus, execDetails and commissionReport
 * events; returns the function that unsubscribes them again.
 */
export function listenToOrderEvents(events: IBApi, { statuses, fills }: IbOrderEventHandlers): () => void {
  const onOpenOrder = (ibOrderId: number, contract: Contract, order: IbOrder, state: OrderState): void => {
    statuses.onOpenOrder(ibOrderId, contract, order, state);
  };
  const onOrderStatus = (
    ibOrderId: number,
    status: string,
    filled: number,
    remaining: number,
    _avgFillPrice: number,
    permId?: number,
    _parentId?: number,
    _lastFillPrice?: number,
    clientId?: number,
  ): void => {
    statuses.onOrderStatus(ibOrderId, status, filled, remaining, permId, clientId);
  };
  const onExecution = (reqId: number, contract: Contract, execution: Execution): void => {
    // Answers to reqExecutions (reqId ≥ 0) belong to whoever asked; live fills come with −1.
    if (reqId === -1) fills.onExecution(contract, execution);
  };
  const onCommission = (report: CommissionReport): void => {
    fills.onCommission(report);
  };
  events.on(EventName.openOrder, onOpenOrder);
  events.on(EventName.orderStatus, onOrderStatus);
  events.on(EventName.execDetails, onExecution);
  events.on(EventName.commissionReport, onCommission);
  return () => {
    events.off(EventName.openOrder, onOpenOrder);
    events.off(EventName.orderStatus, onOrderStatus);
    events.off(EventName.execDetails, onExecution);
    events.off(EventName.commissionReport, onCommission);
  };
}
