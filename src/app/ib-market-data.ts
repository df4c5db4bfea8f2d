import type { Subscription } from "rxjs";
import type { IbGateway } from "../adapters/ib/ib-gateway.js";
import type { Scheduler } from "../core/scheduler.js";
import { ContractResolver, type ContractStore } from "../data/contract-resolver.js";
import { HistoricalPacer, type HistoricalPacerOptions } from "../data/historical-pacer.js";
import { HistoryService, type HistoryCache } from "../data/history-service.js";

/** The market data side of the daemon over one IB gateway: contracts, the pacer and history. */
export interface IbMarketData {
  readonly contracts: ContractResolver;
  readonly pacer: HistoricalPacer;
  readonly history: HistoryService;
  dispose(): void;
}

/**
 * Wires the pacer to the connection (paused whenever it is not ready, so nothing waits in the library's
 * queue; resumed on every reconnect), and history and contracts to their caches.
 */
export function createIbMarketData(options: {
  readonly gateway: IbGateway;
  readonly scheduler: Scheduler;
  readonly barCache?: HistoryCache;
  readonly contractCache?: ContractStore;
  readonly pacer?: Omit<HistoricalPacerOptions, "scheduler">;
  /** The connection's message rate (IBKR_MAX_REQUESTS_PER_SECOND). */
  readonly maxRequestsPerSecond: number;
}): IbMarketData {
  const { gateway, scheduler } = options;
  // @stoqey/ib spreads messages at its own rate (4 per 100 ms at 40/s) and queues the rest, so a request
  // reaches IB later than the pacer sent it. History gets half the connection's rate, which keeps that queue
  // short enough for the pacer's safety margin to cover it, and leaves room for everything else.
  const pacer = new HistoricalPacer({
    maxRequestsPerSecond: Math.max(1, Math.floor(options.maxRequestsPerSecond / 2)),
    ...options.pacer,
    scheduler,
  });
  const subscription: Subscription = gateway.connection.state$.subscribe((state) => {
    if (state.status === "ready") pacer.resume();
    else pacer.pause();
  });
  return {
    contracts: new ContractResolver(gateway.contracts, scheduler, options.contractCache),
    pacer,
    history: new HistoryService(pacer, gateway.history, scheduler, options.barCache),
    dispose: () => {
      subscription.unsubscribe();
    },
  };
}
