import type { Logger } from "pino";
import { GatewayError } from "../../core/errors.js";
import { makeBar, type Bar } from "../../model/bar.js";
import type { QualifiedContract } from "../../model/qualified-contract.js";
import { ibMarketDataType } from "./ib-enums.js";
import { classifyIbCode } from "./ib-error-codes.js";
import type { IbRequestHandlers, IbRequests } from "./ib-requests.js";
import type { IBApi } from "@stoqey/ib";

/** A trade price or cumulative day volume from reqMktData, live or delayed. */
export type IbTick =
  | { readonly kind: "last"; readonly price: number; readonly delayed: boolean }
  | { readonly kind: "volume"; readonly cumulativeVolume: number; readonly delayed: boolean };

/** Tick types (ibkr-facts.md §3.4): live last 4 / volume 8, delayed last 68 / volume 74. */
const LAST = 4;
const VOLUME = 8;
const DELAYED_LAST = 68;
const DELAYED_VOLUME = 74;

const FIVE_SECONDS = 5;

/** A live subscription; stop() cancels it at IB (if the session it was made on is still up). */
export interface IbSubscription {
  stop(): void;
}

/** Why a subscription ended: the GatewayError, with `ibCode` when IB ended it. */
export type SubscriptionEnd = (error: GatewayError) => void;

/**
 * Real-time market data over the raw API: 5-second real-time bars (reqRealTimeBars) and trade ticks
 * (reqMktData, which also serves delayed data when the account has no live subscription). Copies every
 * value into our own frozen types at once.
 */
export class IbMarketDataClient {
  private marketDataTypeGeneration = -1;
  private marketDataTypeSent = 0;

  constructor(
    private readonly requests: IbRequests,
    private readonly logger: Logger,
  ) {}

  /**
   * 5-second TRADES bars for `contract`, each emitted once IB sends it; `onEnd` when IB ends or refuses it;
   * `onSent` once the request has left the send queue.
   */
  realTimeBars(
    contract: QualifiedContract,
    useRth: boolean,
    onBar: (bar: Bar) => void,
    onEnd: SubscriptionEnd,
    onSent?: () => void,
  ): IbSubscription {
    return this.subscribe({
      what: `real-time bars for ${contract.symbol}`,
      onEnd,
      onSent,
      handlers: {
        realtimeBar: (timeSeconds, openPrice, high, low, close, volume) => {
          onBar(
            makeBar({
              symbol: contract.symbol,
              openTime: timeSeconds * 1000,
              closeTime: (timeSeconds + FIVE_SECONDS) * 1000,
              open: openPrice,
              high,
              low,
              close,
              volume,
            }),
          );
        },
      },
      send: (api, reqId) => {
        api.reqRealTimeBars(
          reqId,
          { conId: contract.conId, exchange: contract.exchange },
          FIVE_SECONDS,
          "TRADES",
          useRth,
        );
      },
      cancel: (api, reqId) => api.cancelRealTimeBars(reqId),
    });
  }

  /**
   * Trade ticks for `contract` with market data type `marketDataType` (3 = delayed when live is not
   * permitted). `onType` reports what IB actually serves (1 live, 3 delayed, …); `onSent` once the request
   * has left the send queue.
   */
  ticks(
    contract: QualifiedContract,
    marketDataType: 1 | 2 | 3 | 4,
    onTick: (tick: IbTick) => void,
    onType: (marketDataType: number) => void,
    onEnd: SubscriptionEnd,
    onSent?: () => void,
  ): IbSubscription {
    return this.subscribe({
      what: `market data for ${contract.symbol}`,
      onEnd,
      onSent,
      onInfo: (code) => {
        if (code === 10167) onType(3);
      },
      handlers: {
        tickPrice: (tickType, price) => {
          if ((tickType === LAST || tickType === DELAYED_LAST) && price > 0) {
            onTick({ kind: "last", price, delayed: tickType === DELAYED_LAST });
          }
        },
        tickSize: (tickType, size) => {
          if (tickType === VOLUME || tickType === DELAYED_VOLUME) {
            onTick({ kind: "volume", cumulativeVolume: size, delayed: tickType === DELAYED_VOLUME });
          }
        },
        marketDataType: (type) => {
          onType(type);
        },
      },
      send: (api, reqId) => {
        const generation = this.requests.generation;
        if (this.marketDataTypeGeneration !== generation || this.marketDataTypeSent !== marketDataType) {
          // reqMarketDataType is per session: send it before the first reqMktData of each connection.
          api.reqMarketDataType(ibMarketDataType(marketDataType));
          this.marketDataTypeGeneration = generation;
          this.marketDataTypeSent = marketDataType;
          this.logger.debug(
            { event: "market_data.type_requested", marketDataType },
            "market data type requested",
          );
        }
        api.reqMktData(reqId, { conId: contract.conId, exchange: contract.exchange }, "", false, false);
      },
      cancel: (api, reqId) => api.cancelMktData(reqId),
    });
  }

  /**
   * One streaming request: IB's warnings go to `onInfo`, anything final for it or the end of its session
   * ends it once through `onEnd`; stop() ends it quietly and cancels it at IB.
   */
  private subscribe(spec: {
    readonly what: string;
    readonly handlers: Omit<IbRequestHandlers, "error" | "sessionEnded">;
    readonly onEnd: SubscriptionEnd;
    readonly onInfo?: (code: number) => void;
    readonly onSent: (() => void) | undefined;
    readonly send: (api: IBApi, reqId: number) => void;
    readonly cancel: (api: IBApi, reqId: number) => void;
  }): IbSubscription {
    let ended = false;
    const end = (error: GatewayError): void => {
      if (ended) return;
      ended = true;
      open.close();
      spec.onEnd(error);
    };
    const open = this.requests.send(
      {
        ...spec.handlers,
        error: (code, message) => {
          if (classifyIbCode(code, message) === "info") {
            spec.onInfo?.(code);
            return;
          }
          end(
            new GatewayError("IB_REQUEST_REJECTED", `${spec.what}: IB ${code} ${message}`, { ibCode: code }),
          );
        },
        sessionEnded: (reason) => {
          end(new GatewayError("GATEWAY_DISCONNECTED", `${spec.what} lost: ${reason}`));
        },
      },
      spec.send,
      spec.onSent,
    );
    return {
      stop: () => {
        if (ended) return;
        ended = true;
        open.close();
        this.requests.cancel(open, spec.cancel);
      },
    };
  }
}
