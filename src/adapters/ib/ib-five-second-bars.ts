import type { Logger } from "pino";
import { GatewayError } from "../../core/errors.js";
import type { Scheduler } from "../../core/scheduler.js";
import type { FiveSecondBarSource } from "../../data/live-feed-ports.js";
import { TickBarBuilder } from "../../data/tick-bar-builder.js";
import type { Bar } from "../../model/bar.js";
import type { QualifiedContract } from "../../model/qualified-contract.js";
import type { IbMarketDataClient, IbSubscription } from "./ib-market-data-client.js";

/** IB's answers to reqRealTimeBars that mean "no live data for this account" (ibkr-facts.md §3.4, §7). */
const NO_LIVE_PERMISSION = new Set([420, 354, 10089, 10168, 10186]);

/**
 * 5-second bars per symbol from IB: real-time bars when the account has live data; otherwise, if the
 * configured market data type allows delayed data (3 or 4), bars built from reqMktData's delayed trade
 * ticks — which lag the market by 15–20 minutes, as the log says once per symbol.
 */
export class IbFiveSecondBars implements FiveSecondBarSource {
  private readonly delayedSymbols = new Set<string>();
  private readonly announced = new Set<string>();

  constructor(
    private readonly client: IbMarketDataClient,
    private readonly contracts: ReadonlyMap<string, QualifiedContract>,
    private readonly options: {
      readonly marketDataType: 1 | 2 | 3 | 4;
      readonly useRth: boolean;
      readonly scheduler: Scheduler;
      readonly logger: Logger;
    },
  ) {}

  /** The symbols served from delayed ticks. */
  get delayed(): ReadonlySet<string> {
    return this.delayedSymbols;
  }

  subscribe(
    symbol: string,
    onBar: (bar: Bar) => void,
    onEnd: (error: Error) => void,
    onSent: () => void,
  ): () => void {
    const contract = this.contracts.get(symbol);
    let active: IbSubscription | undefined;
    let builder: TickBarBuilder | undefined;
    let stopped = false;
    const fail = (error: Error): void => {
      if (stopped) return;
      stopped = true;
      builder?.stop();
      // Never call back synchronously from subscribe().
      this.options.scheduler.setTimer(0, () => {
        onEnd(error);
      });
    };
    const delayedTicks = (): void => {
      if (contract === undefined || stopped) return;
      builder = new TickBarBuilder({ symbol, scheduler: this.options.scheduler, onBar });
      const ticks = builder;
      active = this.client.ticks(
        contract,
        this.options.marketDataType,
        (tick) => {
          if (tick.kind === "last") ticks.onPrice(tick.price);
          else ticks.onVolume(tick.cumulativeVolume);
        },
        (type) => {
          if (type >= 3 && !this.announced.has(symbol)) {
            this.announced.add(symbol);
            this.options.logger.warn(
              { event: "market_data.delayed", symbol, marketDataType: type, delayMinutes: "15-20" },
              "no live market data for this symbol: bars are built from delayed ticks and lag the market by 15-20 minutes",
            );
          }
        },
        fail,
        onSent,
      );
    };
    const realTime = (): void => {
      if (contract === undefined) return;
      active = this.client.realTimeBars(
        contract,
        this.options.useRth,
        onBar,
        (error) => {
          const noLiveData = error instanceof GatewayError && NO_LIVE_PERMISSION.has(error.ibCode ?? 0);
          if (!noLiveData || stopped) {
            fail(error);
            return;
          }
          if (this.options.marketDataType < 3) {
            fail(
              new GatewayError(
                "IB_REQUEST_REJECTED",
                `no live market data for ${symbol} (${error.message}): subscribe to US market data for API use, or set IBKR_MARKET_DATA_TYPE=3 to use delayed data`,
                { ibCode: error.ibCode ?? 0 },
              ),
            );
            return;
          }
          this.delayedSymbols.add(symbol);
          delayedTicks();
        },
        onSent,
      );
    };
    try {
      if (contract === undefined) {
        fail(
          new GatewayError(
            "CONTRACT_UNKNOWN",
            `${symbol} has no qualified contract; it cannot be subscribed`,
          ),
        );
      } else if (this.delayedSymbols.has(symbol)) {
        delayedTicks();
      } else {
        realTime();
      }
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
    }
    return () => {
      stopped = true;
      builder?.stop();
      active?.stop();
    };
  }
}
