import type { CancelTask, SimScheduler } from "../market/sim-scheduler.js";
import {
  encodeAccountDownloadEnd,
  encodeAccountSummary,
  encodeAccountSummaryEnd,
  encodeAccountUpdateMulti,
  encodeAccountUpdateMultiEnd,
  encodeAccountUpdateTime,
  encodeAccountValue,
  encodePnl,
  encodePnlSingle,
  encodePortfolioValue,
  encodePosition,
  encodePositionEnd,
} from "../protocol/account-messages.js";
import type { SessionContext } from "../server/request-handler.js";
import type { AccountBook } from "./account-book.js";
import type { AccountValuation, AccountValuer, PositionValuation } from "./account-valuation.js";
import {
  accountSummaryEntries,
  accountUpdateEntries,
  ledgerAndNlvEntries,
  type AccountValueEntry,
} from "./account-values.js";
import type { AccountChanged } from "./order-engine.js";
import { positionContractOf } from "./order-reports.js";
import { formatAccountUpdateTime } from "./tws-time.js";

/** TWS refreshes account values and the account summary every three minutes (IB's reqAccountUpdates doc). */
const ACCOUNT_REFRESH_MS = 180_000;
/** TWS sends PnL updates about once a second, when the figures change. */
const PNL_REFRESH_MS = 1_000;

interface SessionSubscriptions {
  readonly session: SessionContext;
  positions: boolean;
  accountUpdates: { readonly account: string; readonly stop: CancelTask } | undefined;
  readonly summaries: Map<number, { readonly stop: CancelTask }>;
  readonly multi: Map<
    number,
    { readonly account: string; readonly modelCode: string; readonly ledgerAndNlv: boolean }
  >;
  readonly pnl: Map<number, { readonly stop: CancelTask }>;
}

/**
 * The account and portfolio requests of each session: one-shot answers, and the subscriptions TWS keeps
 * feeding (positions, account summary, account updates, PnL) until cancelled or disconnected.
 */
export class AccountSubscriptions {
  private readonly bySession = new Map<number, SessionSubscriptions>();

  constructor(
    private readonly book: AccountBook,
    private readonly valuer: AccountValuer,
    private readonly scheduler: SimScheduler,
  ) {}

  private now(): number {
    return this.scheduler.clock.nowMs();
  }

  private value(account: string): AccountValuation {
    return this.valuer.value(this.book.ledger(account), this.now());
  }

  private stateOf(session: SessionContext): SessionSubscriptions {
    let state = this.bySession.get(session.sessionId);
    if (state === undefined) {
      const created: SessionSubscriptions = {
        session,
        positions: false,
        accountUpdates: undefined,
        summaries: new Map(),
        multi: new Map(),
        pnl: new Map(),
      };
      state = created;
      this.bySession.set(session.sessionId, created);
      session.onClose(() => {
        this.bySession.delete(session.sessionId);
        created.accountUpdates?.stop();
        for (const summary of created.summaries.values()) summary.stop();
        for (const pnl of created.pnl.values()) pnl.stop();
      });
    }
    return state;
  }

  /** REQ_POSITIONS: every open position of the session's accounts, POSITION_END, then updates until cancelled. */
  requestPositions(session: SessionContext): void {
    const state = this.stateOf(session);
    for (const account of session.accounts) {
      for (const valuation of this.value(account).positions) {
        if (!valuation.position.quantity.isZero()) this.sendPosition(session, account, valuation);
      }
    }
    session.send(encodePositionEnd(session.serverVersion));
    state.positions = true;
  }

  /** CANCEL_POSITIONS. */
  cancelPositions(session: SessionContext): void {
    this.stateOf(session).positions = false;
  }

  /** REQ_ACCOUNT_SUMMARY for every managed account (group "All"), then refreshed every three minutes. */
  requestAccountSummary(session: SessionContext, reqId: number, tags: string): void {
    const state = this.stateOf(session);
    state.summaries.get(reqId)?.stop();
    const sendAll = (): void => {
      for (const account of session.accounts) {
        for (const entry of accountSummaryEntries(this.value(account), tags)) {
          session.send(
            encodeAccountSummary(
              session.serverVersion,
              reqId,
              account,
              entry.key,
              entry.value,
              entry.currency,
            ),
          );
        }
      }
    };
    sendAll();
    session.send(encodeAccountSummaryEnd(session.serverVersion, reqId));
    const stop = this.scheduler.every(ACCOUNT_REFRESH_MS, this.now() + ACCOUNT_REFRESH_MS, sendAll);
    state.summaries.set(reqId, { stop });
  }

  /** CANCEL_ACCOUNT_SUMMARY. */
  cancelAccountSummary(session: SessionContext, reqId: number): void {
    const state = this.stateOf(session);
    state.summaries.get(reqId)?.stop();
    state.summaries.delete(reqId);
  }

  /** REQ_PNL: daily, unrealized and realized P&L of an account now, then whenever they change. */
  requestPnl(session: SessionContext, reqId: number, account: string): void {
    this.startPnl(session, reqId, () => {
      const valuation = this.value(account);
      return encodePnl(session.serverVersion, reqId, {
        dailyPnl: valuation.dailyPnl.toNumber(),
        unrealizedPnl: valuation.unrealizedPnl.toNumber(),
        realizedPnl: valuation.realizedPnlToday.toNumber(),
      });
    });
  }

  /** REQ_PNL_SINGLE: the same for one position (zeros while the account has none). */
  requestPnlSingle(session: SessionContext, reqId: number, account: string, conId: number): void {
    this.startPnl(session, reqId, () => {
      const valuation = this.valuer.valueOne(this.book.ledger(account), conId, this.now());
      return encodePnlSingle(
        session.serverVersion,
        reqId,
        valuation?.position.quantity.toString() ?? "0",
        {
          dailyPnl: valuation?.dailyPnl.toNumber() ?? 0,
          unrealizedPnl: valuation?.unrealizedPnl.toNumber() ?? 0,
          realizedPnl: valuation?.realizedPnlToday.toNumber() ?? 0,
        },
        valuation?.marketValue.toNumber() ?? 0,
      );
    });
  }

  /** CANCEL_PNL and CANCEL_PNL_SINGLE. */
  cancelPnl(session: SessionContext, reqId: number): void {
    const state = this.stateOf(session);
    state.pnl.get(reqId)?.stop();
    state.pnl.delete(reqId);
  }

  private startPnl(session: SessionContext, reqId: number, frame: () => Buffer): void {
    const state = this.stateOf(session);
    state.pnl.get(reqId)?.stop();
    let last = frame();
    session.send(last);
    const stop = this.scheduler.every(PNL_REFRESH_MS, this.now() + PNL_REFRESH_MS, () => {
      const next = frame();
      if (next.equals(last)) return;
      last = next;
      session.send(next);
    });
    state.pnl.set(reqId, { stop });
  }

  /**
   * REQ_ACCOUNT_DATA: with subscribe, ACCT_VALUEs, PORTFOLIO_VALUEs, ACCT_UPDATE_TIME and
   * ACCT_DOWNLOAD_END for the account, then updates on every execution and every three minutes; without,
   * stops them. One account at a time per client, as in TWS.
   */
  requestAccountUpdates(session: SessionContext, subscribe: boolean, account: string): void {
    const state = this.stateOf(session);
    state.accountUpdates?.stop();
    state.accountUpdates = undefined;
    if (!subscribe) return;
    this.sendAccountDownload(session, account);
    session.send(encodeAccountDownloadEnd(session.serverVersion, account));
    const stop = this.scheduler.every(ACCOUNT_REFRESH_MS, this.now() + ACCOUNT_REFRESH_MS, () => {
      this.sendAccountDownload(session, account);
    });
    state.accountUpdates = { account, stop };
  }

  /** REQ_ACCOUNT_UPDATES_MULTI: the account's values, END, then the values again after executions. */
  requestAccountUpdatesMulti(
    session: SessionContext,
    reqId: number,
    account: string,
    modelCode: string,
    ledgerAndNlv: boolean,
  ): void {
    const state = this.stateOf(session);
    const subscription = { account, modelCode, ledgerAndNlv };
    this.sendMulti(session, reqId, subscription);
    session.send(encodeAccountUpdateMultiEnd(session.serverVersion, reqId));
    state.multi.set(reqId, subscription);
  }

  /** CANCEL_ACCOUNT_UPDATES_MULTI. */
  cancelAccountUpdatesMulti(session: SessionContext, reqId: number): void {
    this.stateOf(session).multi.delete(reqId);
  }

  /** Pushes an execution's effect to the sessions subscribed to that account. */
  accountChanged(change: AccountChanged): void {
    for (const state of this.bySession.values()) {
      const { session } = state;
      if (!session.accounts.includes(change.account)) continue;
      const valuation = this.value(change.account);
      const position = valuation.positions.find((item) => item.position.instrument.conId === change.conId);
      if (state.positions && position !== undefined) this.sendPosition(session, change.account, position);
      if (state.accountUpdates?.account === change.account) this.sendAccountDownload(session, change.account);
      for (const [reqId, multi] of state.multi) {
        if (multi.account === change.account) this.sendMulti(session, reqId, multi);
      }
    }
  }

  private sendPosition(session: SessionContext, account: string, valuation: PositionValuation): void {
    const { position } = valuation;
    session.send(
      encodePosition(
        session.serverVersion,
        account,
        positionContractOf(position.instrument),
        position.quantity.toString(),
        position.averageCost.toNumber(),
      ),
    );
  }

  private sendAccountDownload(session: SessionContext, account: string): void {
    const valuation = this.value(account);
    for (const entry of accountUpdateEntries(valuation)) {
      session.send(
        encodeAccountValue(session.serverVersion, entry.key, entry.value, entry.currency, account),
      );
    }
    for (const item of valuation.positions) {
      session.send(
        encodePortfolioValue(session.serverVersion, {
          contract: positionContractOf(item.position.instrument),
          position: item.position.quantity.toString(),
          marketPrice: item.markPrice,
          marketValue: item.marketValue.toNumber(),
          averageCost: item.position.averageCost.toNumber(),
          unrealizedPnl: item.unrealizedPnl.toNumber(),
          realizedPnl: item.position.realizedPnl.toNumber(),
          account,
        }),
      );
    }
    session.send(encodeAccountUpdateTime(session.serverVersion, formatAccountUpdateTime(this.now())));
  }

  private sendMulti(
    session: SessionContext,
    reqId: number,
    subscription: { readonly account: string; readonly modelCode: string; readonly ledgerAndNlv: boolean },
  ): void {
    const valuation = this.value(subscription.account);
    const entries: readonly AccountValueEntry[] = subscription.ledgerAndNlv
      ? ledgerAndNlvEntries(valuation)
      : accountUpdateEntries(valuation);
    for (const entry of entries) {
      session.send(
        encodeAccountUpdateMulti(
          session.serverVersion,
          reqId,
          subscription.account,
          subscription.modelCode,
          entry,
        ),
      );
    }
  }
}
