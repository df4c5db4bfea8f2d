/** A listed US stock or ETF the simulator knows: its IB identity, its contract-details texts and its price model parameters. */
export interface SimInstrument {
  readonly symbol: string;
  /** IB's contract id (real for the built-in universe, from a reserved range for synthetic instruments). */
  readonly conId: number;
  readonly secType: "STK";
  readonly currency: "USD";
  /** Listing exchange as IB names it (`primaryExch` in contract details). */
  readonly primaryExchange: "NASDAQ" | "NYSE" | "ARCA";
  /** IB's upper-case long name, e.g. `APPLE INC`. */
  readonly longName: string;
  readonly industry: string;
  readonly category: string;
  readonly subcategory: string;
  /** IB's stock type: `COMMON` for shares, `ETF` for exchange-traded funds. */
  readonly stockType: "COMMON" | "ETF";
  /** ISIN, sent as the only `secIdList` entry; absent for synthetic instruments. */
  readonly isin?: string;
  /** Closing price on the model's anchor day (2025-01-02); the price model wanders around it. */
  readonly startPrice: number;
  /** Annualized volatility of daily log returns, e.g. 0.25. */
  readonly annualVolatility: number;
  /** Mean shares traded per regular session. */
  readonly averageDailyVolume: number;
}

/**
 * The exchanges a SMART-routed US equity can be sent to, in the order TWS lists them for AAPL (a recent
 * TWS; the list changes as venues come and go).
 */
export const US_EQUITY_VALID_EXCHANGES: readonly string[] = Object.freeze([
  "SMART",
  "AMEX",
  "NYSE",
  "CBOE",
  "PHLX",
  "ISE",
  "CHX",
  "ARCA",
  "ISLAND",
  "DRCTEDGE",
  "BEX",
  "BATS",
  "EDGEA",
  "BYX",
  "IEX",
  "EDGX",
  "FOXRIVER",
  "PEARL",
  "NYSENAT",
  "LTSE",
  "MEMX",
  "IBEOS",
  "OVERNIGHT",
  "TPLUS0",
  "PSX",
]);
