import { Decimal } from "decimal.js";
import { z } from "zod";
import type { Bar } from "../src/model/bar.js";
import type { Strategy, StrategyContext } from "../src/strategy/strategy.js";
import { defineStrategy, type StrategySetup } from "../src/strategy/strategy-definition.js";

const parameters = z
  .strictObject({
    quantity: z.coerce.number().int().min(1).max(100_000_000).optional(),
    fraction: z.coerce.number().gt(0).max(1).optional(),
  })
  .refine((p) => p.quantity === undefined || p.fraction === undefined, {
    message: "give quantity (fixed shares) or fraction (of equity), not both",
    path: ["quantity"],
  });

export type BuyAndHoldParams = z.infer<typeof parameters>;

/** Baseline: buys each symbol once on its first bar (equity split evenly) and holds to the end. */
class BuyAndHold implements Strategy {
  private readonly bought = new Set<string>();

  constructor(
    private readonly params: BuyAndHoldParams,
    private readonly setup: StrategySetup,
  ) {}

  onBar(bar: Bar, context: StrategyContext): void {
    if (this.bought.has(bar.symbol)) return;
    this.bought.add(bar.symbol);
    // Each symbol gets an equal share of equity: orders fill at the next bar, so cash does not yet show
    // the symbols bought on this bar.
    const quantity =
      this.params.quantity !== undefined
        ? new Decimal(this.params.quantity)
        : context.portfolio
            .equity()
            .times(this.params.fraction ?? 0.95)
            .dividedBy(this.setup.symbols.length)
            .dividedBy(bar.close)
            .floor();
    if (quantity.lte(0)) return;
    context.submit({ symbol: bar.symbol, side: "BUY", quantity, type: "MARKET", reason: "buy and hold" });
  }
}

export default defineStrategy<BuyAndHoldParams>({
  name: "buy-and-hold",
  description: "Baseline: buy every symbol on its first bar and hold.",
  parameters,
  parameterHelp: [
    "quantity: fixed shares per symbol (default: size by fraction)",
    "fraction: fraction of equity to invest, split evenly across symbols, 0-1 (default 0.95)",
  ],
  create: (params, setup) => new BuyAndHold(params, setup),
});
