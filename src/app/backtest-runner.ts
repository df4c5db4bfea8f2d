import type { Decimal } from "decimal.js";
import { IdGenerator } from "../core/id-generator.js";
import { ManualClock } from "../core/manual-clock.js";
import { SimulatedExecutionClient } from "../execution/simulated-execution-client.js";
import { OrderManager } from "../execution/order-manager.js";
import type { Bar } from "../model/bar.js";
import type { Fill } from "../model/fill.js";
import type { OrderEvent } from "../model/order-event.js";
import { EquityCurve } from "../portfolio/equity-curve.js";
import type { FeeModel } from "../portfolio/fee-model.js";
import { Portfolio } from "../portfolio/portfolio.js";
import type { LoadedStrategy } from "../strategy/strategy-registry.js";
import { TradingEngine, type EngineStats } from "./trading-engine.js";

/** What a backtest runs on. */
export interface BacktestRunOptions {
  /** Bars in non-decreasing close time (several symbols interleaved). Streamed, never held. */
  readonly bars: Iterable<Bar>;
  readonly strategy: LoadedStrategy;
  readonly initialCapital: Decimal;
  readonly feeModel: FeeModel;
  readonly slippageBps: number;
  /** Called every `progressEveryBars` bars and once at the end. */
  readonly onProgress?: (barsProcessed: number) => void;
  readonly progressEveryBars?: number;
  /** Sees every order event (for logs). */
  readonly onOrderEvent?: (event: OrderEvent) => void;
}

/** Everything a report needs from a finished backtest. */
export interface BacktestResult {
  readonly stats: EngineStats;
  readonly portfolio: Portfolio;
  readonly fills: readonly Fill[];
  readonly equityCurve: EquityCurve;
  readonly ordersSubmitted: number;
  readonly ordersRejected: number;
  readonly ordersCancelled: number;
  /** Open time of the first bar and close time of the last one; undefined when there were no bars. */
  readonly firstBarOpenMs: number | undefined;
  readonly lastBarCloseMs: number | undefined;
}

/**
 * Drives the shared TradingEngine over historical bars with the simulated venue and a ManualClock set
 * to each bar's close, then cancels what is still working. Deterministic for the same bars.
 */
export class BacktestRunner {
  run(options: BacktestRunOptions): BacktestResult {
    const clock = new ManualClock(0);
    const portfolio = new Portfolio({ initialCash: options.initialCapital });
    const venue = new SimulatedExecutionClient({
      clock,
      feeModel: options.feeModel,
      portfolio,
      slippageBps: options.slippageBps,
    });
    const equityCurve = new EquityCurve();
    const engineRef: { current?: TradingEngine } = {};
    let ordersSubmitted = 0;
    let ordersRejected = 0;
    let ordersCancelled = 0;
    const orders = new OrderManager({
      clock,
      ids: new IdGenerator(clock, "bt"),
      execution: venue,
      book: portfolio,
      strategyName: options.strategy.definition.name,
      onEvent: (event) => {
        if (event.type === "OrderAccepted") ordersSubmitted += 1;
        else if (event.type === "OrderRejected") ordersRejected += 1;
        else if (event.type === "OrderCancelled") ordersCancelled += 1;
        options.onOrderEvent?.(event);
        engineRef.current?.dispatchOrderEvent(event);
      },
    });
    const engine = new TradingEngine({
      clock,
      advanceClock: (timeMs) => {
        if (timeMs > clock.nowMs()) clock.setMs(timeMs);
      },
      strategy: options.strategy.strategy,
      portfolio,
      orders,
      venue,
      equity: equityCurve,
    });
    engineRef.current = engine;

    const every = options.progressEveryBars ?? 0;
    let firstBarOpenMs: number | undefined;
    let lastBarCloseMs: number | undefined;
    let count = 0;
    engine.start();
    for (const bar of options.bars) {
      firstBarOpenMs ??= bar.openTime;
      lastBarCloseMs = bar.closeTime;
      engine.onBar(bar);
      count += 1;
      if (every > 0 && count % every === 0) options.onProgress?.(count);
    }
    engine.stop();
    for (const order of orders.openOrders()) orders.cancel(order.orderId);
    options.onProgress?.(count);

    return {
      stats: engine.stats,
      portfolio,
      fills: orders.bookedFills(),
      equityCurve,
      ordersSubmitted,
      ordersRejected,
      ordersCancelled,
      firstBarOpenMs,
      lastBarCloseMs,
    };
  }
}
