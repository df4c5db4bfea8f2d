/**
 * Fakes for testing the IB order path without a gateway: a connection the test plays IB's order messages
 * through by hand, an in-memory send journal, broker queries that find nothing, a captured log, and an
 * IbExecutionClient wired to all of them.
 */
import { EventEmitter } from "node:events";
import pino, { type Logger } from "pino";
import { EventName, type Contract, type IBApi, type Order as IbOrder } from "@stoqey/ib";
import type { IbConnectionState, IbSession } from "../../src/adapters/ib/ib-connection-state.js";
import { IbExecutionClient, type OrderSendJournal } from "../../src/adapters/ib/ib-execution-client.js";
import type { IbOrderConnection } from "../../src/adapters/ib/ib-order-queries.js";
import { GatewayError } from "../../src/core/errors.js";
import { ManualScheduler } from "../../src/core/manual-scheduler.js";
import type { BrokerQueries } from "../../src/execution/broker-port.js";
import type { ExecutionReport } from "../../src/execution/execution-client.js";
import type { OrderIntent } from "../../src/model/order.js";
import type { QualifiedContract } from "../../src/model/qualified-contract.js";

/** 2024-01-02 15:04:05 UTC: when the fake session connected and where the fake client's clock starts. */
export const T0 = Date.UTC(2024, 0, 2, 15, 4, 5);
/** The account of the fake session and of every order message the fake gateway plays. */
export const ACCOUNT = "DU1234567";
/** The fake session's client id, stamped on the order messages the fake gateway plays unless told otherwise. */
export const CLIENT_ID = 7;
/** The permId of every order message the fake gateway plays. */
export const PERM_ID = 600_000_001;

/** The fake gateway's session: ready since T0, next valid order id 5. */
export const FAKE_IB_SESSION: IbSession = {
  host: "127.0.0.1",
  port: 4002,
  clientId: CLIENT_ID,
  serverVersion: 176,
  accounts: [ACCOUNT],
  nextValidOrderId: 5,
  generation: 1,
  connectedAtMs: T0,
};

/** The raw API as far as the order path uses it: events in, placeOrder/cancelOrder recorded. */
export class FakeIbApi extends EventEmitter {
  /** Every placeOrder call, in order. */
  readonly placed: { id: number; contract: Contract; order: IbOrder }[] = [];
  /** The order id of every cancelOrder call, in order. */
  readonly cancelled: number[] = [];

  placeOrder(id: number, contract: Contract, order: IbOrder): this {
    this.placed.push({ id, contract, order });
    return this;
  }

  cancelOrder(id: number): this {
    this.cancelled.push(id);
    return this;
  }
}

/** How a FakeIbGateway behaves where tests differ. */
export interface FakeIbGatewayOptions {
  /** When set, requireReady always throws GATEWAY_DISCONNECTED with this message: for tests that send nothing. */
  readonly refuseSends?: string;
}

/**
 * A gateway connection the test plays by hand: IB's messages (AAPL, conId 265598, for ACCOUNT under
 * CLIENT_ID and PERM_ID unless told otherwise) in the order the test wants.
 */
export class FakeIbGateway implements IbOrderConnection {
  readonly api = new FakeIbApi();
  readonly events = this.api as unknown as IBApi;
  readonly where = "127.0.0.1:4002";
  /** Ready on FAKE_IB_SESSION; set it to play a disconnect. */
  state: IbConnectionState = { status: "ready", session: FAKE_IB_SESSION };
  /** The error handler of each request id, as registered through onRequestError and not yet stopped. */
  readonly errorRoutes = new Map<number, (code: number, message: string) => void>();
  private readonly refuseSends: string | undefined;

  constructor(options: FakeIbGatewayOptions = {}) {
    this.refuseSends = options.refuseSends;
  }

  requireReady(): { session: IbSession; api: IBApi } {
    if (this.refuseSends !== undefined) throw new GatewayError("GATEWAY_DISCONNECTED", this.refuseSends);
    const state = this.state;
    if (state.status !== "ready") throw new GatewayError("GATEWAY_DISCONNECTED", "not connected");
    return { session: state.session, api: this.events };
  }

  allocateRequestId(): number {
    return 1_000_000;
  }

  onRequestError(reqId: number, handler: (code: number, message: string) => void): () => void {
    this.errorRoutes.set(reqId, handler);
    return () => this.errorRoutes.delete(reqId);
  }

  onSessionEnd(): () => void {
    return () => undefined;
  }

  /** Plays an openOrder message for 100 shares; the order's ref defaults to "o-1". */
  openOrder(
    ibOrderId: number,
    status: string,
    extra: { orderRef?: string; clientId?: number; account?: string; warningText?: string } = {},
  ): void {
    this.api.emit(
      EventName.openOrder,
      ibOrderId,
      { symbol: "AAPL", conId: 265598 },
      {
        orderRef: extra.orderRef ?? "o-1",
        clientId: extra.clientId ?? CLIENT_ID,
        account: extra.account ?? ACCOUNT,
        permId: PERM_ID,
        totalQuantity: 100,
      },
      { status, warningText: extra.warningText ?? "" },
    );
  }

  /** Plays an orderStatus message (average fill price 0). */
  orderStatus(
    ibOrderId: number,
    status: string,
    filled: number,
    remaining: number,
    clientId = CLIENT_ID,
  ): void {
    this.api.emit(EventName.orderStatus, ibOrderId, status, filled, remaining, 0, PERM_ID, 0, 0, clientId);
  }

  /** Plays an execDetails message: bought `shares` at 190.5; the order's ref defaults to "o-1". */
  execution(
    ibOrderId: number,
    execId: string,
    shares: number,
    extra: { orderRef?: string; account?: string } = {},
  ): void {
    this.api.emit(
      EventName.execDetails,
      -1,
      { symbol: "AAPL", conId: 265598 },
      {
        orderId: ibOrderId,
        execId,
        time: "20240102  10:04:05",
        acctNumber: extra.account ?? ACCOUNT,
        side: "BOT",
        shares,
        price: 190.5,
        permId: PERM_ID,
        orderRef: extra.orderRef ?? "o-1",
      },
    );
  }

  /** Plays a commissionReport message in USD. */
  commission(execId: string, commission: number): void {
    this.api.emit(EventName.commissionReport, { execId, commission, currency: "USD" });
  }

  /** Plays an IB error for request (or order) id `reqId` to the handler routed for it, if any. */
  error(reqId: number, code: number, message: string): void {
    this.errorRoutes.get(reqId)?.(code, message);
  }
}

/** Reserves and records IB order ids in memory the way the StateStore does (tested elsewhere). */
export class MemorySendJournal implements OrderSendJournal {
  /** Every intent marked sent with its IB order id, in order. */
  readonly sent: { intentId: string; ibOrderId: number }[] = [];
  /** The highest IB order id used so far; set it to play ids handed out before. */
  lastUsed = 0;
  /** When set, every reservation throws this, as a failed write would. */
  failWith: Error | undefined;

  sendIntent(intent: OrderIntent, candidate: number): number {
    const ibOrderId = this.reserveOrderId(candidate);
    if (!this.markSent(intent.intentId, ibOrderId)) {
      throw new Error(`intent ${intent.intentId} was sent already`);
    }
    return ibOrderId;
  }

  /** An id of at least `candidate` and above every id used before. */
  reserveOrderId(candidate: number): number {
    if (this.failWith !== undefined) throw this.failWith;
    this.lastUsed = Math.max(candidate, this.lastUsed + 1);
    return this.lastUsed;
  }

  /** Records the intent sent under `ibOrderId`; false when it was sent already. */
  markSent(intentId: string, ibOrderId: number): boolean {
    if (this.sent.some((entry) => entry.intentId === intentId)) return false;
    this.sent.push({ intentId, ibOrderId });
    this.lastUsed = Math.max(this.lastUsed, ibOrderId);
    return true;
  }
}

/** Broker queries that find nothing, but for the answers given in `overrides`. */
export function quietQueries(overrides: Partial<BrokerQueries> = {}): BrokerQueries {
  return {
    openOrders: () => Promise.resolve([]),
    completedOrders: () => Promise.resolve([]),
    executions: () => Promise.resolve([]),
    positions: () => Promise.resolve([]),
    ...overrides,
  };
}

/** A pino logger at `level` whose lines are parsed and kept (written synchronously). */
export function captureLogger(level = "debug"): {
  readonly logger: Logger;
  /** The lines so far whose `event` field is `event`. */
  readonly events: (event: string) => Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, events: (event) => lines.filter((line) => line.event === event) };
}

/** What fakeGatewayClient wires an IbExecutionClient to. */
export interface FakeGatewayClientOptions {
  readonly journal: OrderSendJournal;
  readonly contractOf: (symbol: string) => QualifiedContract;
  /** Default: quietQueries(). */
  readonly queries?: BrokerQueries | undefined;
  /** Default: a new FakeIbGateway. */
  readonly gateway?: FakeIbGateway;
}

/** An IbExecutionClient and the fakes it runs on. */
export interface FakeGatewayClient {
  readonly gateway: FakeIbGateway;
  /** The client's clock, at T0 until advanced. */
  readonly scheduler: ManualScheduler;
  readonly client: IbExecutionClient;
  /** Every report the client has made, in order. */
  readonly reports: ExecutionReport[];
  /** The client's log lines so far whose `event` field is `event`. */
  readonly events: (event: string) => Record<string, unknown>[];
}

/** An IbExecutionClient for ACCOUNT on a fake gateway, acknowledgements awaited 10 s, logging at debug. */
export function fakeGatewayClient(options: FakeGatewayClientOptions): FakeGatewayClient {
  const gateway = options.gateway ?? new FakeIbGateway();
  const scheduler = new ManualScheduler(T0);
  const { logger, events } = captureLogger();
  const client = new IbExecutionClient({
    connection: gateway,
    account: ACCOUNT,
    contractOf: options.contractOf,
    journal: options.journal,
    queries: options.queries ?? quietQueries(),
    scheduler,
    logger,
    ackTimeoutMs: 10_000,
  });
  const reports: ExecutionReport[] = [];
  client.setReportListener((report) => reports.push(report));
  return { gateway, scheduler, client, reports, events };
}
