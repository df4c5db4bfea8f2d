import type { Decimal } from "decimal.js";

/** A holding: signed quantity (negative = short), average cost per share, and P&L realized so far. */
export interface Position {
  readonly symbol: string;
  readonly quantity: Decimal;
  readonly averageCost: Decimal;
  /** Realized P&L on this symbol, before commissions. */
  readonly realizedPnl: Decimal;
  /** Commissions paid on this symbol. */
  readonly commissions: Decimal;
}
