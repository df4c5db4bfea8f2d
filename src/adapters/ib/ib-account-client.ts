import { Decimal } from "decimal.js";
import { Subject, type Observable, type Subscription } from "rxjs";
import type { IBApi } from "@stoqey/ib";
import type { Logger } from "pino";
import { maskAccountId } from "../../core/account-id.js";
import type { Clock } from "../../core/clock.js";
import { InvariantError } from "../../core/errors.js";
import type { IbConnection } from "./ib-connection.js";
import { classifyIbCode } from "./ib-error-codes.js";
import type { IbRequestHandlers, IbRequests, OpenIbRequest } from "./ib-requests.js";

/** IB's account summary for our account, in the currency IB reports it in (the base currency). */
export interface IbAccountSummary {
  readonly netLiquidation: Decimal | undefined;
  readonly totalCash: Decimal | undefined;
  readonly buyingPower: Decimal | undefined;
  readonly availableFunds: Decimal | undefined;
  readonly grossPositionValue: Decimal | undefined;
  readonly excessLiquidity: Decimal | undefined;
  /** Currency of the money values ("" until IB sent one). */
  readonly currency: string;
  readonly updatedAtMs: number;
}

/** IB's P&L of the whole account (reqPnL); undefined where IB sent its unset value. */
export interface IbAccountPnl {
  readonly daily: Decimal | undefined;
  readonly unrealized: Decimal | undefined;
  readonly realized: Decimal | undefined;
  readonly updatedAtMs: number;
}

/** IB's figures for one position (reqPnLSingle); undefined where IB sent its unset value. */
export interface IbPositionPnl {
  readonly symbol: string;
  readonly conId: number;
  /** Signed quantity: negative is short. */
  readonly position: Decimal | undefined;
  readonly dailyPnl: Decimal | undefined;
  /** At IB's mark, against IB's average cost (which includes commissions). */
  readonly unrealizedPnl: Decimal | undefined;
  readonly realizedPnl: Decimal | undefined;
  /** Market value: position × IB's mark. */
  readonly value: Decimal | undefined;
  readonly updatedAtMs: number;
}

/** Everything IB has told us about the account so far; frozen, replaced on every update. */
export interface IbAccountSnapshot {
  /** The account id (full: mask it before logging). */
  readonly account: string;
  readonly summary: IbAccountSummary | undefined;
  readonly pnl: IbAccountPnl | undefined;
  /** By symbol, for the symbols P&L was asked for and IB has answered. */
  readonly positions: ReadonlyMap<string, IbPositionPnl>;
}

/** One change to the snapshot, with the snapshot after it. */
export type IbAccountUpdate =
  | { readonly type: "AccountSummaryUpdated"; readonly snapshot: IbAccountSnapshot }
  | { readonly type: "AccountPnlUpdated"; readonly snapshot: IbAccountSnapshot }
  | { readonly type: "PositionPnlUpdated"; readonly symbol: string; readonly snapshot: IbAccountSnapshot };

type SummaryField = Exclude<keyof IbAccountSummary, "currency" | "updatedAtMs">;

/** The account summary tags we ask for and the field each fills. */
const SUMMARY_TAGS: Readonly<Record<string, SummaryField>> = {
  NetLiquidation: "netLiquidation",
  TotalCashValue: "totalCash",
  BuyingPower: "buyingPower",
  AvailableFunds: "availableFunds",
  GrossPositionValue: "grossPositionValue",
  ExcessLiquidity: "excessLiquidity",
};

/** Anything this large is IB's Double.MAX "unset" marker (or a garbled field), never a real amount. */
const UNSET_MAGNITUDE = 1e300;
const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function decimalOfNumber(value: number | undefined): Decimal | undefined {
  if (value === undefined || !Number.isFinite(value) || Math.abs(value) >= UNSET_MAGNITUDE) return undefined;
  return new Decimal(value);
}

function decimalOfText(value: string): Decimal | undefined {
  const text = value.trim();
  if (!NUMBER_TEXT.test(text)) return undefined;
  const decimal = new Decimal(text);
  return decimal.abs().gte(UNSET_MAGNITUDE) ? undefined : decimal;
}

interface ActiveRequest {
  readonly open: OpenIbRequest;
  readonly cancel: (api: IBApi, reqId: number) => void;
}

/**
 * IB's view of one account, kept current: the account summary (reqAccountSummary, group "All", only our
 * account's values kept), the account's P&L (reqPnL) and each traded symbol's P&L (reqPnLSingle). Every
 * request is made again on each new session (a reconnect or IB's 1101 loses them) and cancelled at IB by
 * stop(). Values are copied into frozen snapshots at once.
 */
export class IbAccountClient {
  private readonly updates = new Subject<IbAccountUpdate>();
  private readonly active: ActiveRequest[] = [];
  private readonly subscriptions: Subscription[] = [];
  private current: IbAccountSnapshot = Object.freeze({
    account: "",
    summary: undefined,
    pnl: undefined,
    positions: new Map<string, IbPositionPnl>(),
  });
  private conIds: ReadonlyMap<string, number> = new Map();
  private lastGeneration = 0;
  private started = false;
  private stopped = false;

  constructor(
    private readonly connection: IbConnection,
    private readonly requests: IbRequests,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Every change to the snapshot, as it happens; completes on stop(). */
  get updates$(): Observable<IbAccountUpdate> {
    return this.updates.asObservable();
  }

  /** The latest snapshot (empty until IB answers). */
  snapshot(): IbAccountSnapshot {
    return this.current;
  }

  /**
   * Subscribes `account`'s summary and P&L, and the P&L of each symbol in `conIds` (symbol → conId): now if
   * the connection is ready, else once it is, and again after every reconnect.
   */
  start(account: string, conIds: ReadonlyMap<string, number>): void {
    if (this.started) throw new InvariantError("IbAccountClient.start called twice");
    this.started = true;
    this.conIds = new Map(conIds);
    this.current = Object.freeze({ ...this.current, account });
    this.subscriptions.push(
      this.connection.state$.subscribe((state) => {
        if (this.stopped || state.status !== "ready" || state.session.generation <= this.lastGeneration) {
          return;
        }
        this.lastGeneration = state.session.generation;
        this.subscribeAll(`session ${state.session.generation}`);
      }),
      this.connection.notices$.subscribe((notice) => {
        // 1101: connectivity restored but TWS dropped the subscriptions (ibkr-facts.md §4).
        if (notice.reqId < 0 && notice.code === 1101 && !this.stopped) {
          this.cancelAll();
          this.subscribeAll("IB 1101: connectivity restored, data lost");
        }
      }),
    );
  }

  /** Cancels every subscription at IB (on the session it was made on) and completes updates$. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    this.cancelAll();
    this.updates.complete();
  }

  /** Open requests at IB (summary, account P&L and one per symbol while subscribed). */
  get activeRequestCount(): number {
    return this.active.length;
  }

  private cancelAll(): void {
    for (const request of this.active.splice(0)) {
      request.open.close();
      this.requests.cancel(request.open, request.cancel);
    }
  }

  private subscribeAll(reason: string): void {
    // Requests of an ended session are already dead at IB; only stop routing to them.
    for (const request of this.active.splice(0)) request.open.close();
    const account = this.current.account;
    this.logger.info(
      {
        event: "account.subscribing",
        account: maskAccountId(account),
        symbols: [...this.conIds.keys()],
        reason,
      },
      "subscribing account summary and P&L",
    );
    let summaryComplete = false;
    this.send(
      "account summary",
      {
        accountSummary: (forAccount, tag, value, currency) => {
          if (forAccount !== account) return;
          const changed = this.applySummaryValue(tag, value, currency);
          if (changed && summaryComplete) this.emit({ type: "AccountSummaryUpdated" });
        },
        accountSummaryEnd: () => {
          summaryComplete = true;
          const summary = this.current.summary;
          this.logger.info(
            {
              event: "account.summary",
              account: maskAccountId(account),
              netLiquidation: summary?.netLiquidation?.toString(),
              totalCash: summary?.totalCash?.toString(),
              buyingPower: summary?.buyingPower?.toString(),
              currency: summary?.currency,
            },
            "account summary received",
          );
          this.emit({ type: "AccountSummaryUpdated" });
        },
      },
      (api, reqId) => api.reqAccountSummary(reqId, "All", Object.keys(SUMMARY_TAGS).join(",")),
      (api, reqId) => api.cancelAccountSummary(reqId),
    );
    this.send(
      "account P&L",
      {
        pnl: (daily, unrealized, realized) => {
          this.current = Object.freeze({
            ...this.current,
            pnl: Object.freeze({
              daily: decimalOfNumber(daily),
              unrealized: decimalOfNumber(unrealized),
              realized: decimalOfNumber(realized),
              updatedAtMs: this.clock.nowMs(),
            }),
          });
          this.emit({ type: "AccountPnlUpdated" });
        },
      },
      (api, reqId) => api.reqPnL(reqId, account, ""),
      (api, reqId) => api.cancelPnL(reqId),
    );
    for (const [symbol, conId] of this.conIds) {
      this.send(
        `P&L of ${symbol}`,
        {
          pnlSingle: (position, daily, unrealized, realized, value) => {
            const positions = new Map(this.current.positions);
            positions.set(
              symbol,
              Object.freeze({
                symbol,
                conId,
                position: decimalOfNumber(position),
                dailyPnl: decimalOfNumber(daily),
                unrealizedPnl: decimalOfNumber(unrealized),
                realizedPnl: decimalOfNumber(realized),
                value: decimalOfNumber(value),
                updatedAtMs: this.clock.nowMs(),
              }),
            );
            this.current = Object.freeze({ ...this.current, positions });
            this.emit({ type: "PositionPnlUpdated", symbol });
          },
        },
        (api, reqId) => api.reqPnLSingle(reqId, account, "", conId),
        (api, reqId) => api.cancelPnLSingle(reqId),
      );
    }
  }

  /** Sends one streaming request; IB ending it (an error that is not a warning) only logs it. */
  private send(
    what: string,
    handlers: Omit<IbRequestHandlers, "error" | "sessionEnded">,
    send: (api: IBApi, reqId: number) => void,
    cancel: (api: IBApi, reqId: number) => void,
  ): void {
    const drop = (open: OpenIbRequest): void => {
      open.close();
      const index = this.active.findIndex((request) => request.open === open);
      if (index >= 0) this.active.splice(index, 1);
    };
    let request: OpenIbRequest | undefined;
    try {
      request = this.requests.send(
        {
          ...handlers,
          error: (code, message) => {
            if (classifyIbCode(code, message) === "info") return;
            this.logger.warn(
              { event: "account.request_failed", request: what, code },
              `IB refused the ${what} subscription: ${message}`,
            );
            if (request !== undefined) drop(request);
          },
          sessionEnded: () => {
            if (request !== undefined) drop(request);
          },
        },
        send,
      );
    } catch (error) {
      // The connection went away between the ready state and this send: the next session resubscribes.
      this.logger.warn(
        { event: "account.request_failed", request: what },
        error instanceof Error ? error.message : String(error),
      );
      return;
    }
    this.active.push({ open: request, cancel });
  }

  /** Applies one summary value; true when it changed the snapshot. */
  private applySummaryValue(tag: string, value: string, currency: string): boolean {
    const field = SUMMARY_TAGS[tag];
    if (field === undefined) return false;
    const amount = decimalOfText(value);
    const previous = this.current.summary;
    const before = previous?.[field];
    if (
      previous !== undefined &&
      (before === undefined ? amount === undefined : amount?.eq(before) === true) &&
      (currency === "" || currency === previous.currency)
    ) {
      return false;
    }
    const base: IbAccountSummary = previous ?? {
      netLiquidation: undefined,
      totalCash: undefined,
      buyingPower: undefined,
      availableFunds: undefined,
      grossPositionValue: undefined,
      excessLiquidity: undefined,
      currency: "",
      updatedAtMs: 0,
    };
    this.current = Object.freeze({
      ...this.current,
      summary: Object.freeze({
        ...base,
        [field]: amount,
        currency: currency === "" ? base.currency : currency,
        updatedAtMs: this.clock.nowMs(),
      }),
    });
    return true;
  }

  private emit(
    update:
      | { readonly type: "AccountSummaryUpdated" | "AccountPnlUpdated" }
      | {
          readonly type: "PositionPnlUpdated";
          readonly symbol: string;
        },
  ): void {
    if (this.stopped) return;
    this.updates.next(Object.freeze({ ...update, snapshot: this.current }));
  }
}
