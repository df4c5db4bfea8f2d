import { InvariantError } from "../../core/errors.js";
import { FixedFeeModel } from "../../portfolio/fixed-fee-model.js";
import type { FeeModel } from "../../portfolio/fee-model.js";
import { OrderFaults } from "./order-faults.js";

/** How the simulator fills orders. */
export interface OrderSimOptions {
  /** Fill each order in at least two executions (half, then the rest at a later 5-second step); default false. */
  readonly partialFills?: boolean;
  /** Simulated milliseconds between an order becoming fillable and its first execution; default 0. */
  readonly fillDelayMs?: number;
  /** Fault injection hooks; default a fresh OrderFaults with nothing armed. */
  readonly faults?: OrderFaults;
  /** Commissions of COMMISSION_REPORT; default IBKR Pro Fixed. */
  readonly feeModel?: FeeModel;
}

/** OrderSimOptions with every default applied. */
export interface ResolvedOrderSimOptions {
  readonly partialFills: boolean;
  readonly fillDelayMs: number;
  readonly faults: OrderFaults;
  readonly feeModel: FeeModel;
}

/** Applies the defaults of OrderSimOptions and checks the values. */
export function resolveOrderSimOptions(options: OrderSimOptions = {}): ResolvedOrderSimOptions {
  const fillDelayMs = options.fillDelayMs ?? 0;
  if (!(fillDelayMs >= 0) || !Number.isFinite(fillDelayMs)) {
    throw new InvariantError(`fillDelayMs ${fillDelayMs} must be a finite number >= 0`);
  }
  return {
    partialFills: options.partialFills ?? false,
    fillDelayMs,
    faults: options.faults ?? new OrderFaults(),
    feeModel: options.feeModel ?? new FixedFeeModel(),
  };
}
