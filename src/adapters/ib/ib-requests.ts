import { EventName, type ContractDetails, type IBApi } from "@stoqey/ib";
import type { IbConnection } from "./ib-connection.js";

/** What one open request wants to hear, each already filtered to its request id. */
export interface IbRequestHandlers {
  historicalData?(time: string, open: number, high: number, low: number, close: number, volume: number): void;
  contractDetails?(details: ContractDetails): void;
  contractDetailsEnd?(): void;
  realtimeBar?(
    timeSeconds: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
  ): void;
  tickPrice?(tickType: number, price: number): void;
  tickSize?(tickType: number, size: number): void;
  tickString?(tickType: number, value: string): void;
  marketDataType?(marketDataType: number): void;
  /** One account summary value (every managed account's values come on the one request id). */
  accountSummary?(account: string, tag: string, value: string, currency: string): void;
  accountSummaryEnd?(): void;
  /** reqPnL: the library turns IB's unset value (Double.MAX) into undefined. */
  pnl?(daily: number | undefined, unrealized: number | undefined, realized: number | undefined): void;
  /** reqPnLSingle: position, P&L and market value of one position; unset values arrive as undefined. */
  pnlSingle?(
    position: number | undefined,
    daily: number | undefined,
    unrealized: number | undefined,
    realized: number | undefined,
    value: number | undefined,
  ): void;
  /** An IB error or warning addressed to this request id. */
  error(code: number, message: string): void;
  /** The session the request was sent on ended: it is dead on the gateway's side too. */
  sessionEnded(reason: string): void;
}

/** A request that has been sent; close() stops routing to it (it does not cancel at IB). */
export interface OpenIbRequest {
  readonly reqId: number;
  readonly generation: number;
  close(): void;
}

/**
 * Routes the library's per-request events to the request that asked, by request id, with one listener per
 * event type however many requests are open; sends only through the connection's gate.
 */
export class IbRequests {
  private readonly open = new Map<number, IbRequestHandlers>();
  private readonly stopErrors = new Map<number, () => void>();
  private readonly connection: IbConnection;

  constructor(connection: IbConnection) {
    this.connection = connection;
    const api = connection.events;
    const route = (reqId: number): IbRequestHandlers | undefined => this.open.get(reqId);
    api.on(EventName.historicalData, (reqId, time, open, high, low, close, volume) => {
      route(reqId)?.historicalData?.(time, open, high, low, close, volume);
    });
    api.on(EventName.contractDetails, (reqId, details) => {
      route(reqId)?.contractDetails?.(details);
    });
    api.on(EventName.contractDetailsEnd, (reqId) => {
      route(reqId)?.contractDetailsEnd?.();
    });
    api.on(EventName.realtimeBar, (reqId, time, open, high, low, close, volume) => {
      route(reqId)?.realtimeBar?.(time, open, high, low, close, volume);
    });
    api.on(EventName.tickPrice, (reqId, tickType, price) => {
      route(reqId)?.tickPrice?.(tickType, price);
    });
    api.on(EventName.tickSize, (reqId, tickType, size) => {
      if (tickType !== undefined && size !== undefined) route(reqId)?.tickSize?.(tickType, size);
    });
    api.on(EventName.tickString, (reqId, tickType, value) => {
      route(reqId)?.tickString?.(tickType, value);
    });
    api.on(EventName.marketDataType, (reqId, marketDataType) => {
      route(reqId)?.marketDataType?.(marketDataType);
    });
    api.on(EventName.accountSummary, (reqId, account, tag, value, currency) => {
      route(reqId)?.accountSummary?.(account, tag, value, currency);
    });
    api.on(EventName.accountSummaryEnd, (reqId) => {
      route(reqId)?.accountSummaryEnd?.();
    });
    // The typings promise numbers, but the decoder returns undefined for IB's unset values (readDouble).
    api.on(
      EventName.pnl,
      (reqId: number, daily: number | undefined, unrealized?: number, realized?: number) => {
        route(reqId)?.pnl?.(daily, unrealized, realized);
      },
    );
    api.on(
      EventName.pnlSingle,
      (
        reqId: number,
        position: number | undefined,
        daily: number | undefined,
        unrealized: number | undefined,
        realized: number | undefined,
        value: number | undefined,
      ) => {
        route(reqId)?.pnlSingle?.(position, daily, unrealized, realized, value);
      },
    );
    connection.onSessionEnd((reason) => {
      const ended = [...this.open.values()];
      this.open.clear();
      for (const stop of this.stopErrors.values()) stop();
      this.stopErrors.clear();
      for (const handlers of ended) handlers.sessionEnded(reason);
    });
  }

  /** Generation of the ready session, or −1 when not connected. */
  get generation(): number {
    const state = this.connection.state;
    return state.status === "ready" ? state.session.generation : -1;
  }

  /** Requests currently routed. */
  get openCount(): number {
    return this.open.size;
  }

  /**
   * Registers `handlers` under a fresh request id and calls `send` with the API — or throws a GatewayError
   * GATEWAY_DISCONNECTED, sending nothing, when the connection is not ready. `onSent` is called once the
   * request has left the send queue (never if its session ends first).
   */
  send(
    handlers: IbRequestHandlers,
    send: (api: IBApi, reqId: number) => void,
    onSent?: () => void,
  ): OpenIbRequest {
    const { api, session } = this.connection.requireReady();
    const reqId = this.connection.allocateRequestId();
    this.open.set(reqId, handlers);
    this.stopErrors.set(
      reqId,
      this.connection.onRequestError(reqId, (code, message) => {
        handlers.error(code, message);
      }),
    );
    const close = (): void => {
      this.open.delete(reqId);
      this.stopErrors.get(reqId)?.();
      this.stopErrors.delete(reqId);
    };
    try {
      send(api, reqId);
    } catch (error) {
      close();
      throw error;
    }
    if (onSent !== undefined) this.connection.afterSent(onSent);
    return { reqId, generation: session.generation, close };
  }

  /**
   * Sends a cancel for `request` if the session it was sent on is still the ready one (after a reconnect
   * the request no longer exists at IB, and a cancel would only earn an error).
   */
  cancel(request: OpenIbRequest, send: (api: IBApi, reqId: number) => void): void {
    const state = this.connection.state;
    if (state.status !== "ready" || state.session.generation !== request.generation) return;
    send(this.connection.requireReady().api, request.reqId);
  }
}
