import type { Clock } from "../core/clock.js";
import type { Bar } from "../model/bar.js";
import type { OrderRequest } from "../model/order.js";
import type { OrderEvent } from "../model/order-event.js";
import type { PortfolioView } from "../portfolio/portfolio-view.js";

/** All a strategy may touch: the clock, a read-only portfolio and `submit`. Nothing else leaks in. */
export interface StrategyContext {
  readonly clock: Clock;
  readonly portfolio: PortfolioView;
  /** Submits an order request; returns our order id. Outcomes arrive later through `onOrderEvent`. */
  submit(request: OrderRequest): string;
}

/** The strategy port: the same object runs unchanged in a backtest, on simulated fills and live. */
export interface Strategy {
  onStart?(context: StrategyContext): void;
  /** Called once per bar, at the bar's close. */
  onBar(bar: Bar, context: StrategyContext): void;
  onOrderEvent?(event: OrderEvent, context: StrategyContext): void;
  onStop?(context: StrategyContext): void;
}
