import type { Logger } from "pino";
import type { Subscription } from "rxjs";
import { IbFiveSecondBars } from "../adapters/ib/ib-five-second-bars.js";
import type { IbGateway } from "../adapters/ib/ib-gateway.js";
import { GatewayError } from "../core/errors.js";
import type { Scheduler } from "../core/scheduler.js";
import type { OutageClassifier } from "../data/daily-cycle.js";
import type { FeedEvent } from "../data/feed-event.js";
import { historyBarSizeOf } from "../data/history-bar-size.js";
import type { HistoryService } from "../data/history-service.js";
import type { BackfillSource } from "../data/live-feed-ports.js";
import { LiveBarFeed } from "../data/live-bar-feed.js";
import type { QualifiedContract } from "../model/qualified-contract.js";
import type { Timeframe } from "../model/timeframe.js";

/** IB codes after which every subscription is restored and its gap backfilled (ibkr-facts.md §4). */
const FARM_BROKEN = new Set([2103, 2105]);
const FARM_OK = new Set([2104, 2106]);

/**
 * One LiveBarFeed per contract over the IB gateway, restored together: after a reconnect, after 1101
 * ("restored, data lost"), after a data farm that broke (2103/2105) is OK again (2104/2106), and after a
 * bust (10225) on one of them. Every feed event is logged; closed bars go to `onBar`.
 */
export class LiveFeeds {
  private readonly feeds = new Map<string, LiveBarFeed>();
  private readonly subscriptions: Subscription[] = [];
  private readonly source: IbFiveSecondBars;
  private brokenFarms = 0;
  private lastGeneration = 0;

  constructor(
    private readonly options: {
      readonly gateway: IbGateway;
      readonly history: HistoryService;
      readonly contracts: readonly QualifiedContract[];
      readonly timeframe: Timeframe;
      readonly scheduler: Scheduler;
      readonly logger: Logger;
      readonly marketDataType: 1 | 2 | 3 | 4;
      readonly onEvent?: (event: FeedEvent) => void;
      readonly graceMs?: number;
      /** Which stalls are expected (IB's daily cycle) and logged at info; absent: every stall is an alarm. */
      readonly classifyOutage?: OutageClassifier;
    },
  ) {
    const byContract = new Map(options.contracts.map((contract) => [contract.symbol, contract]));
    this.source = new IbFiveSecondBars(options.gateway.marketData, byContract, {
      marketDataType: options.marketDataType,
      useRth: true,
      scheduler: options.scheduler,
      logger: options.logger,
    });
    const backfill: BackfillSource = {
      fetchBars: async (symbol, barSizeSetting, fromMs, toMs, priority) => {
        const contract = byContract.get(symbol);
        if (contract === undefined) return [];
        const result = await options.history.fetch(
          { contract, barSize: historyBarSizeOf(barSizeSetting), fromMs, toMs },
          priority,
        );
        return result.bars;
      },
    };
    for (const contract of options.contracts) {
      this.feeds.set(
        contract.symbol,
        new LiveBarFeed({
          symbol: contract.symbol,
          timeframe: options.timeframe,
          bars: this.source,
          history: backfill,
          scheduler: options.scheduler,
          onEvent: (event) => {
            this.log(event);
            options.onEvent?.(event);
          },
          ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
        }),
      );
    }
  }

  /** The symbols served from delayed ticks instead of real-time bars. */
  get delayedSymbols(): ReadonlySet<string> {
    return this.source.delayed;
  }

  /** Starts every feed with `warmupBars` bars of history, and restores them after IB's interruptions. */
  start(warmupBars: number): void {
    const connection = this.options.gateway.connection;
    const state = connection.state;
    this.lastGeneration = state.status === "ready" ? state.session.generation : 0;
    this.subscriptions.push(
      connection.state$.subscribe((next) => {
        if (next.status !== "ready" || next.session.generation <= this.lastGeneration) return;
        this.lastGeneration = next.session.generation;
        this.resubscribeAll(`reconnected (session ${next.session.generation})`);
      }),
      connection.notices$.subscribe((notice) => {
        if (notice.reqId >= 0) return;
        if (notice.code === 1101) this.resubscribeAll("IB 1101: connectivity restored, data lost");
        if (FARM_BROKEN.has(notice.code)) this.brokenFarms += 1;
        if (FARM_OK.has(notice.code) && this.brokenFarms > 0) {
          this.brokenFarms = 0;
          this.resubscribeAll(`IB ${notice.code}: data farm connection restored`);
        }
      }),
    );
    for (const feed of this.feeds.values()) feed.start(warmupBars);
  }

  /** Restores every subscription and backfills what was missed. */
  resubscribeAll(reason: string): void {
    this.options.logger.info(
      { event: "feed.resubscribe_all", reason, feeds: this.feeds.size },
      "restoring every feed",
    );
    for (const feed of this.feeds.values()) feed.resubscribe(reason);
  }

  stop(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    for (const feed of this.feeds.values()) feed.stop();
  }

  private log(event: FeedEvent): void {
    const { logger } = this.options;
    switch (event.type) {
      case "FeedBarClosed":
        logger.debug(
          {
            event: "feed.bar",
            symbol: event.bar.symbol,
            closeTime: event.bar.closeTime,
            close: event.bar.close,
            source: event.source,
          },
          "bar closed",
        );
        break;
      case "FeedBarDropped":
        logger.warn(
          { event: "feed.bar_dropped", symbol: event.symbol, reason: event.reason },
          "invalid bar dropped",
        );
        break;
      case "FeedStalled": {
        const fields = { event: "feed.stalled", symbol: event.symbol, silentForMs: event.silentForMs };
        const classification = this.options.classifyOutage?.(
          { kind: "feedStalled", symbol: event.symbol },
          this.options.scheduler.nowMs(),
        );
        if (classification?.level === "info") {
          logger.info({ ...fields, expected: classification.reason }, "feed stalled during trading hours");
        } else {
          logger.warn(fields, "feed stalled during trading hours");
        }
        break;
      }
      case "FeedResumed":
        logger.info(
          { event: "feed.resumed", symbol: event.symbol, stalledForMs: event.stalledForMs },
          "feed resumed",
        );
        break;
      case "FeedResubscribed":
        logger.info(
          {
            event: "feed.resubscribed",
            symbol: event.symbol,
            reason: event.reason,
            backfilledBars: event.backfilledBars,
          },
          "feed restored",
        );
        break;
      case "FeedFailed": {
        const fields = {
          event: "feed.failed",
          symbol: event.symbol,
          stage: event.stage,
          error: event.error.message,
        };
        // A subscription lost with the connection is restored with its gap on the reconnect: the loss is
        // the connection's alarm (connection.lost), not one more per symbol. Anything else loses data or
        // keeps failing, and is an error.
        if (
          event.stage === "subscription" &&
          event.error instanceof GatewayError &&
          event.error.code === "GATEWAY_DISCONNECTED"
        ) {
          logger.warn(
            { ...fields, recovery: "resubscribed with its gap backfilled on the reconnect" },
            "feed lost",
          );
        } else {
          logger.error(fields, "feed problem");
        }
        break;
      }
    }
  }
}
