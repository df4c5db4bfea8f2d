import type { Clock } from "../core/clock.js";
import type { Bar } from "../model/bar.js";
import type { OrderEvent } from "../model/order-event.js";
import type { OrderRequest } from "../model/order.js";
import type { FillBook } from "../execution/order-manager.js";
import type { PortfolioView } from "../portfolio/portfolio-view.js";
import type { Strategy, StrategyContext } from "../strategy/strategy.js";

/** The ledger as the engine drives it: marked once per bar, read as a float for the equity curve. */
export interface EnginePortfolio extends PortfolioView, FillBook {
  markPrice(symbol: string, price: number): void;
  equityEstimate(): number;
  /** Number of symbols with a non-zero position. */
  openPositionCount(): number;
}

/** Where the strategy's requests go: the order manager, or the risk-checked order path in front of it. */
export interface OrderEntry {
  /** Returns the order id (also for a request that is denied). */
  submit(request: OrderRequest): string;
}

/** Receives one equity point per bar-close time. */
export interface EquityRecorder {
  record(timeMs: number, equity: number): void;
}

/** A venue that matches orders against bars (the simulator); IB does not need this. */
export interface BarMatchingVenue {
  onBar(bar: Bar): void;
}

/** Collaborators of the engine, all injected so backtest, simulated-fill and live runs share one loop. */
export interface TradingEngineOptions {
  readonly clock: Clock;
  /** Moves time to a bar's close (backtests drive a ManualClock); absent when time is real. */
  readonly advanceClock?: (timeMs: number) => void;
  readonly strategy: Strategy;
  readonly portfolio: EnginePortfolio;
  readonly orders: OrderEntry;
  readonly venue?: BarMatchingVenue;
  readonly equity?: EquityRecorder;
}

/** Counters the engine keeps while running. */
export interface EngineStats {
  readonly bars: number;
  /** Distinct bar-close times seen. */
  readonly timestamps: number;
  /** Distinct bar-close times at which some position was open. */
  readonly timestampsWithPosition: number;
}

/**
 * The strategy loop shared by every mode: per bar, the venue matches working orders (fills at this bar),
 * the portfolio is marked at the close, the strategy sees the bar, and the equity point is recorded.
 * Order events reach the strategy as they happen.
 */
export class TradingEngine {
  private readonly context: StrategyContext;
  private bars = 0;
  private timestamps = 0;
  private timestampsWithPosition = 0;
  private lastTime = Number.NEGATIVE_INFINITY;
  private started = false;
  private inStrategy = false;
  private readonly heldEvents: OrderEvent[] = [];

  constructor(private readonly options: TradingEngineOptions) {
    const { orders } = options;
    this.context = Object.freeze({
      clock: options.clock,
      portfolio: options.portfolio,
      submit: (request: OrderRequest): string => orders.submit(request),
    });
  }

  /**
   * Forwards an order event to the strategy; the order manager calls this (wired by the app). An event
   * raised while the strategy is still in one of its callbacks (a denial, or a venue that answers at once,
   * inside `submit`) reaches it after that callback returns, so the strategy has recorded the order id
   * `submit` gave it and can match the event to its order.
   */
  dispatchOrderEvent(event: OrderEvent): void {
    if (this.inStrategy) {
      this.heldEvents.push(event);
      return;
    }
    this.inStrategy = true;
    try {
      this.options.strategy.onOrderEvent?.(event, this.context);
    } finally {
      this.inStrategy = false;
    }
    this.releaseHeldEvents();
  }

  /** Runs a strategy callback, then hands it the order events its own calls raised. */
  private inStrategyCallback(callback: () => void): void {
    this.inStrategy = true;
    try {
      callback();
    } finally {
      this.inStrategy = false;
    }
    this.releaseHeldEvents();
  }

  private releaseHeldEvents(): void {
    const event = this.heldEvents.shift();
    if (event !== undefined) this.dispatchOrderEvent(event);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.inStrategyCallback(() => this.options.strategy.onStart?.(this.context));
  }

  /** Processes one bar at its close. Bars must arrive in non-decreasing close time. */
  onBar(bar: Bar): void {
    const { options } = this;
    options.advanceClock?.(bar.closeTime);
    options.venue?.onBar(bar);
    options.portfolio.markPrice(bar.symbol, bar.close);
    this.inStrategyCallback(() => {
      options.strategy.onBar(bar, this.context);
    });
    this.bars += 1;
    if (bar.closeTime !== this.lastTime) {
      this.lastTime = bar.closeTime;
      this.timestamps += 1;
      if (options.portfolio.openPositionCount() > 0) this.timestampsWithPosition += 1;
    }
    options.equity?.record(bar.closeTime, options.portfolio.equityEstimate());
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.options.strategy.onStop?.(this.context);
  }

  get stats(): EngineStats {
    return {
      bars: this.bars,
      timestamps: this.timestamps,
      timestampsWithPosition: this.timestampsWithPosition,
    };
  }
}
