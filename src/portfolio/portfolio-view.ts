import type { Decimal } from "decimal.js";
import type { Position } from "../model/position.js";

/** What a strategy may see of the portfolio: read-only. */
export interface PortfolioView {
  /** Cash balance (negative when a short sale's proceeds are spent or on margin). */
  cash(): Decimal;
  /** Cash + market value of all positions marked at their last price. */
  equity(): Decimal;
  /** The open position in `symbol`, or undefined when flat. */
  position(symbol: string): Position | undefined;
  /** Signed quantity held in `symbol` (zero when flat). */
  positionQuantity(symbol: string): Decimal;
  /** All open (non-zero) positions. */
  positions(): readonly Position[];
  /** Last price the portfolio was marked at for `symbol`. */
  lastPrice(symbol: string): number | undefined;
}
