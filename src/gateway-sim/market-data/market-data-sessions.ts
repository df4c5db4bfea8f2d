import { MarketDataType } from "../protocol/market-data-tick-types.js";
import type { SessionContext } from "../server/request-handler.js";
import { ActiveStreams } from "./active-streams.js";

/** What one client connection has asked for: its market data type and its open streams. */
export interface SessionMarketData {
  /** Set by reqMarketDataType; TWS starts every connection on live data (1). */
  marketDataType: MarketDataType;
  readonly topOfBook: ActiveStreams;
  readonly realTimeBars: ActiveStreams;
  /** keepUpToDate historical requests, which stay open until cancelled. */
  readonly historical: ActiveStreams;
}

/** Per-connection market data state, created on a connection's first request and dropped when it closes. */
export class MarketDataSessions {
  private readonly states = new Map<number, SessionMarketData>();

  /** The state of `session`; the first call registers the cleanup that stops its streams on close. */
  of(session: SessionContext): SessionMarketData {
    const existing = this.states.get(session.sessionId);
    if (existing !== undefined) return existing;
    const state: SessionMarketData = {
      marketDataType: MarketDataType.LIVE,
      topOfBook: new ActiveStreams(),
      realTimeBars: new ActiveStreams(),
      historical: new ActiveStreams(),
    };
    this.states.set(session.sessionId, state);
    session.onClose(() => {
      this.states.delete(session.sessionId);
      state.topOfBook.stopAll();
      state.realTimeBars.stopAll();
      state.historical.stopAll();
    });
    return state;
  }

  /** Number of connections with market data state (for tests and diagnostics). */
  get count(): number {
    return this.states.size;
  }
}
