import { Decimal } from "decimal.js";
import { z } from "zod";
import type { Bar } from "../src/model/bar.js";
import type { OrderSide } from "../src/model/order.js";
import type { OrderEvent } from "../src/model/order-event.js";
import type { Strategy, StrategyContext } from "../src/strategy/strategy.js";
import { defineStrategy } from "../src/strategy/strategy-definition.js";

const integerText = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const parameters = z
  .strictObject({
    fast: integerText(1, 100_000).default(10),
    slow: integerText(2, 100_000).default(30),
    direction: z.enum(["long-only", "long-short"]).default("long-only"),
    quantity: integerText(1, 100_000_000).optional(),
    fraction: z.coerce.number().gt(0).max(1).optional(),
  })
  .refine((p) => p.fast < p.slow, { message: "fast must be smaller than slow", path: ["fast"] })
  .refine((p) => p.quantity === undefined || p.fraction === undefined, {
    message: "give quantity (fixed shares) or fraction (of equity), not both",
    path: ["quantity"],
  });

export type SmaCrossoverParams = z.infer<typeof parameters>;

/** Rolling simple moving averages over one ring buffer, updated in O(1) per bar. */
class RollingSmaPair {
  private readonly ring: Float64Array;
  private count = 0;
  private fastSum = 0;
  private slowSum = 0;

  constructor(
    private readonly fast: number,
    private readonly slow: number,
  ) {
    this.ring = new Float64Array(slow);
  }

  push(close: number): void {
    const slot = this.count % this.slow;
    if (this.count >= this.slow) this.slowSum -= this.ring[slot] ?? 0;
    if (this.count >= this.fast) this.fastSum -= this.ring[(this.count - this.fast) % this.slow] ?? 0;
    this.ring[slot] = close;
    this.fastSum += close;
    this.slowSum += close;
    this.count += 1;
    // Running float sums drift after millions of updates; recompute them exactly now and then.
    if (this.count % 4096 === 0) this.resum();
  }

  private resum(): void {
    let fastSum = 0;
    let slowSum = 0;
    for (let back = 1; back <= this.slow; back++) {
      const value = this.ring[(this.count - back) % this.slow] ?? 0;
      slowSum += value;
      if (back <= this.fast) fastSum += value;
    }
    this.fastSum = fastSum;
    this.slowSum = slowSum;
  }

  get ready(): boolean {
    return this.count >= this.slow;
  }

  /** Sign of fast SMA minus slow SMA: 1, -1 or 0. */
  sign(): number {
    const difference = this.fastSum / this.fast - this.slowSum / this.slow;
    // Treat differences at floating-point noise level as equal, so equal averages do not flicker.
    const tolerance = 1e-12 * Math.abs(this.slowSum / this.slow);
    return difference > tolerance ? 1 : difference < -tolerance ? -1 : 0;
  }
}

interface SymbolState {
  readonly averages: RollingSmaPair;
  lastSign: number;
  pendingOrderId: string | undefined;
}

/** SMA crossover: long when the fast average crosses above the slow one, out (or short) when below. */
class SmaCrossover implements Strategy {
  private readonly states = new Map<string, SymbolState>();

  constructor(private readonly params: SmaCrossoverParams) {}

  private state(symbol: string): SymbolState {
    let state = this.states.get(symbol);
    if (state === undefined) {
      state = {
        averages: new RollingSmaPair(this.params.fast, this.params.slow),
        lastSign: 0,
        pendingOrderId: undefined,
      };
      this.states.set(symbol, state);
    }
    return state;
  }

  onBar(bar: Bar, context: StrategyContext): void {
    const state = this.state(bar.symbol);
    state.averages.push(bar.close);
    if (!state.averages.ready) return;
    const sign = state.averages.sign();
    if (sign === 0) return;
    const crossed = state.lastSign !== 0 && sign !== state.lastSign;
    state.lastSign = sign;
    if (!crossed || state.pendingOrderId !== undefined) return;
    this.rebalance(bar, sign > 0 ? 1 : this.params.direction === "long-short" ? -1 : 0, context);
  }

  /** Moves the position in `bar.symbol` to the target direction (1 long, 0 flat, -1 short). */
  private rebalance(bar: Bar, target: number, context: StrategyContext): void {
    const held = context.portfolio.positionQuantity(bar.symbol);
    const size = target === 0 ? new Decimal(0) : this.targetSize(bar, context);
    const wanted = target >= 0 ? size : size.negated();
    const delta = wanted.minus(held);
    if (delta.isZero()) return;
    const side: OrderSide = delta.isPositive() ? "BUY" : "SELL";
    const orderId = context.submit({
      symbol: bar.symbol,
      side,
      quantity: delta.abs(),
      type: "MARKET",
      reason: target > 0 ? "fast SMA crossed above slow" : "fast SMA crossed below slow",
    });
    this.state(bar.symbol).pendingOrderId = orderId;
  }

  private targetSize(bar: Bar, context: StrategyContext): Decimal {
    if (this.params.quantity !== undefined) return new Decimal(this.params.quantity);
    const fraction = this.params.fraction ?? 0.95;
    return context.portfolio.equity().times(fraction).dividedBy(bar.close).floor();
  }

  onOrderEvent(event: OrderEvent): void {
    if (event.type === "OrderAccepted") return;
    if (event.type === "OrderFilled" && !event.order.filledQuantity.equals(event.order.intent.quantity))
      return;
    const state = this.states.get(event.order.intent.symbol);
    if (state?.pendingOrderId === event.order.orderId) state.pendingOrderId = undefined;
  }
}

export default defineStrategy<SmaCrossoverParams>({
  name: "sma-crossover",
  aliases: ["sma"],
  description: "Simple moving average crossover: a signal on a bar's close fills at the next bar's open.",
  parameters,
  parameterHelp: [
    "fast: fast SMA window in bars (default 10)",
    "slow: slow SMA window in bars, larger than fast (default 30)",
    "direction: long-only | long-short (default long-only)",
    "quantity: fixed shares per position (default: size by fraction)",
    "fraction: fraction of equity per position, 0-1 (default 0.95)",
  ],
  create: (params) => new SmaCrossover(params),
});
