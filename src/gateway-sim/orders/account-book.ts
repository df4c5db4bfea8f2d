import { Decimal } from "decimal.js";
import { InvariantError } from "../../core/errors.js";
import type { SimInstrument } from "../market/sim-instrument.js";
import { OrderIdBook } from "../server/order-id-book.js";
import { AccountLedger } from "./account-ledger.js";
import { isOpen, type SimOrder } from "./sim-order.js";

/** One execution as IB keeps it for reqExecutions, with its commission report. */
export interface ExecutionRecord {
  readonly execId: string;
  readonly timeMs: number;
  readonly orderId: number;
  readonly clientId: number;
  readonly permId: number;
  readonly account: string;
  readonly instrument: SimInstrument;
  /** The venue that filled it (ISLAND, NYSE, ARCA). */
  readonly venue: string;
  readonly action: "BUY" | "SELL";
  readonly shares: Decimal;
  readonly price: number;
  /** The order's filled shares and average price including this execution. */
  readonly cumQty: Decimal;
  readonly avgPrice: number;
  readonly orderRef: string;
  /** 1 added liquidity (a resting limit), 2 removed it (marketable). */
  readonly lastLiquidity: number;
  readonly commission: Decimal;
  /** Realized P&L net of commission when the execution reduced a position. */
  readonly realizedPnl: Decimal | undefined;
}

/** How an AccountBook starts. */
export interface AccountBookOptions {
  /** Cash of every account at its first use, in USD; default 1,000,000. */
  readonly startingCash?: number;
  /** permId of the first order; default 600,000,001 (real permIds are nine or ten digits). */
  readonly firstPermId?: number;
  /** The lowest order id of a client that has placed nothing yet; default 1 (the server's default). */
  readonly firstOrderId?: number;
}

/** First segment of execIds, as in IB's `0000e0d5.67fe667b.01.01` (ibkr-facts.md §5.3). */
const EXEC_ID_PREFIX = "0000e0d5";

/**
 * Everything TWS keeps about the accounts across API sessions: cash and positions per account, every order
 * (open and completed), the executions of the day and the order ids each client has used. One book is
 * shared by all sessions of a simulator, so a reconnecting client finds its orders again.
 */
export class AccountBook {
  /** The order ids each client id has used; placing at or below a used id is error 103. */
  readonly orderIds: OrderIdBook;
  private readonly startingCash: Decimal;
  private readonly ledgersByAccount = new Map<string, AccountLedger>();
  private readonly ordersByKey = new Map<string, SimOrder>();
  private readonly executionLog: ExecutionRecord[] = [];
  private nextPermId: number;
  private readonly execSequence = new Map<number, number>();

  constructor(options: AccountBookOptions = {}) {
    const startingCash = options.startingCash ?? 1_000_000;
    const firstPermId = options.firstPermId ?? 600_000_001;
    const firstOrderId = options.firstOrderId ?? 1;
    if (!Number.isFinite(startingCash) || startingCash < 0) {
      throw new InvariantError(`startingCash ${startingCash} must be a finite number >= 0`);
    }
    if (!Number.isSafeInteger(firstPermId) || firstPermId <= 0) {
      throw new InvariantError(`firstPermId ${firstPermId} must be a positive integer`);
    }
    if (!Number.isInteger(firstOrderId) || firstOrderId < 0) {
      throw new InvariantError(`firstOrderId ${firstOrderId} must be an integer >= 0`);
    }
    this.startingCash = new Decimal(startingCash);
    this.nextPermId = firstPermId;
    this.orderIds = new OrderIdBook(firstOrderId);
  }

  /** The ledger of `account`, opened with the starting cash on first use. */
  ledger(account: string): AccountLedger {
    let ledger = this.ledgersByAccount.get(account);
    if (ledger === undefined) {
      ledger = new AccountLedger(account, this.startingCash);
      this.ledgersByAccount.set(account, ledger);
    }
    return ledger;
  }

  /** A new permId, unique across clients and sessions. */
  newPermId(): number {
    return this.nextPermId++;
  }

  /** A new execId `0000e0d5.<epoch seconds in hex>.<sequence>.01`, unique within the book. */
  newExecId(timeMs: number): string {
    const seconds = Math.floor(timeMs / 1000);
    const sequence = (this.execSequence.get(seconds) ?? 0) + 1;
    this.execSequence.set(seconds, sequence);
    const hexSeconds = seconds.toString(16).padStart(8, "0");
    return `${EXEC_ID_PREFIX}.${hexSeconds}.${sequence.toString(16).padStart(2, "0")}.01`;
  }

  /** Stores a newly accepted (or rejected) order. */
  addOrder(order: SimOrder): void {
    const key = orderKey(order.clientId, order.orderId);
    if (this.ordersByKey.has(key)) {
      throw new InvariantError(`order ${order.orderId} of client ${order.clientId} exists already`);
    }
    this.ordersByKey.set(key, order);
  }

  /** The order a client placed under `orderId`, if any. */
  order(clientId: number, orderId: number): SimOrder | undefined {
    return this.ordersByKey.get(orderKey(clientId, orderId));
  }

  /** Every order in the order placed. */
  orders(): readonly SimOrder[] {
    return [...this.ordersByKey.values()];
  }

  /** Orders TWS reports as open (working, pending cancel, or staged). */
  openOrders(): readonly SimOrder[] {
    return this.orders().filter(isOpen);
  }

  /** Orders with a final status, in the order they completed. */
  completedOrders(): readonly SimOrder[] {
    return this.orders()
      .filter((order) => order.completedAtMs !== undefined)
      .sort((a, b) => (a.completedAtMs ?? 0) - (b.completedAtMs ?? 0));
  }

  /** Adds an execution to the day's log (what reqExecutions returns). */
  recordExecution(execution: ExecutionRecord): void {
    this.executionLog.push(execution);
  }

  /** Every execution so far, oldest first. */
  executions(): readonly ExecutionRecord[] {
    return [...this.executionLog];
  }
}

function orderKey(clientId: number, orderId: number): string {
  return `${clientId}:${orderId}`;
}
