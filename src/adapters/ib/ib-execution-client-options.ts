import type { Logger } from "pino";
import type { Scheduler } from "../../core/scheduler.js";
import type { BrokerQueries } from "../../execution/broker-port.js";
import type { OrderIntent } from "../../model/order.js";
import type { QualifiedContract } from "../../model/qualified-contract.js";
import type { IbOrderConnection } from "./ib-order-queries.js";

/** Where sends are recorded before anything leaves (the StateStore). */
export interface OrderSendJournal {
  /**
   * In one durable step: writes the intent (unless the journal has it already, written but not sent), reserves
   * an IB order id of at least `candidate` and above every id ever used, and marks the intent sent under it.
   * Returns the id; throws when the intent was sent already or the write failed.
   */
  sendIntent(intent: OrderIntent, candidate: number, atMs: number): number;
}

/** Everything an IbExecutionClient needs; times in milliseconds of the scheduler's clock. */
export interface IbExecutionClientOptions {
  readonly connection: IbOrderConnection;
  /** The full account id orders go to (masked in every log line). */
  readonly account: string;
  /** The qualified contract of a symbol; throws when the symbol is unknown. */
  readonly contractOf: (symbol: string) => QualifiedContract;
  readonly journal: OrderSendJournal;
  /** Used to look an order up when IB stays silent about it, and to fetch executions IB did not push. */
  readonly queries: BrokerQueries;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** An order not acknowledged within this long is looked up at IB (never resent). */
  readonly ackTimeoutMs: number;
  /** How long a fill waits for its commission report before it is reported without it; default 2,000. */
  readonly commissionWaitMs?: number;
  /** TWS's login time zone, for execution times sent without a zone; default America/New_York. */
  readonly executionTimeZone?: string;
  /** How long a bare Cancelled/Inactive status waits for the error code that explains it; default 250. */
  readonly statusGraceMs?: number;
  /** How long after IB reports more filled shares than we saw executions we ask for them; default 2,000. */
  readonly missingExecutionsGraceMs?: number;
}

/** Default timings of the execution client. */
export const EXECUTION_CLIENT_DEFAULTS = {
  commissionWaitMs: 2_000,
  executionTimeZone: "America/New_York",
  statusGraceMs: 250,
  missingExecutionsGraceMs: 2_000,
} as const;
