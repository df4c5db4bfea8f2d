import type { SimScheduler } from "../market/sim-scheduler.js";
import type { ExecutionRecord } from "./account-book.js";
import type { OrderFaults } from "./order-faults.js";
import { commissionFrame, executionFrame, openOrderFrame, orderStatusFrame } from "./order-reports.js";
import type { SessionHub } from "./session-hub.js";
import type { SimOrder } from "./sim-order.js";

/**
 * Tells an order's client about one execution in the order real TWS does (ibkr-facts.md §5.1, [RUST]
 * capture of a market order): EXECUTION_DATA (reqId −1), OPEN_ORDER(Filled), ORDER_STATUS(Filled),
 * OPEN_ORDER(Filled) now with the commission, COMMISSION_REPORT; a partial fill sends EXECUTION_DATA,
 * ORDER_STATUS(Submitted with filled/remaining), COMMISSION_REPORT. The fault hooks drop or delay the
 * ORDER_STATUS or send the execution and its report twice.
 */
export class FillReporter {
  constructor(
    private readonly sessions: SessionHub,
    private readonly faults: OrderFaults,
    private readonly scheduler: SimScheduler,
  ) {}

  /** Reports `execution` of `order`; `done` when it completed the order. */
  report(order: SimOrder, execution: ExecutionRecord, done: boolean): void {
    const { sessions } = this;
    const copies = this.faults.takeDuplicatedExecution() ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      sessions.sendTo(order.clientId, (version) => executionFrame(version, -1, execution));
    }
    if (done) sessions.sendTo(order.clientId, (version) => openOrderFrame(version, order));
    this.sendStatus(order);
    if (done) sessions.sendTo(order.clientId, (version) => openOrderFrame(version, order, true));
    for (let copy = 0; copy < copies; copy++) {
      sessions.sendTo(order.clientId, (version) => commissionFrame(version, execution));
    }
  }

  /** The fill's ORDER_STATUS, unless a fault drops it; delayed in simulated time when a fault says so. */
  private sendStatus(order: SimOrder): void {
    if (this.faults.takeDroppedFillStatus()) return;
    // A copy, so that a delayed status still reports this fill even if more happens before it is sent.
    const snapshot: SimOrder = { ...order };
    const send = (): void => {
      this.sessions.sendTo(order.clientId, (version) => orderStatusFrame(version, snapshot));
    };
    const delayMs = this.faults.fillStatusDelayMs;
    if (delayMs === 0) send();
    else this.scheduler.at(this.scheduler.clock.nowMs() + delayMs, send);
  }
}
