import type { OrderIntent } from "../model/order.js";

/** The parts of an order the risk checks judge: an OrderIntent and an OrderRequest both have them. */
export type OrderTerms = Pick<
  OrderIntent,
  "symbol" | "side" | "quantity" | "type" | "limitPrice" | "stopPrice"
>;

/** Which pre-trade rule denied an order. */
export type RiskRule = "trading-state" | "position-limit" | "order-notional" | "order-rate" | "daily-loss";

/** The verdict of the pre-trade checks: allowed, or denied by one rule with a one-line reason. */
export type RiskDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string; readonly rule: RiskRule };

/** The one allowed decision. */
export const ALLOWED: RiskDecision = Object.freeze({ allowed: true });

/** A denial by `rule` with `reason`. */
export function denied(rule: RiskRule, reason: string): RiskDecision {
  return Object.freeze({ allowed: false, reason, rule });
}
