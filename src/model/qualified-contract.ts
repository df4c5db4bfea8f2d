/**
 * A symbol resolved against IB: the contract id every request uses and the details the daemon needs later
 * (trading hours, tick size, time zone). Copied out of the IB library's objects into this frozen shape.
 */
export interface QualifiedContract {
  readonly symbol: string;
  readonly conId: number;
  readonly secType: "STK";
  /** Routing exchange used for requests, e.g. SMART. */
  readonly exchange: string;
  readonly primaryExchange: string;
  readonly currency: string;
  readonly localSymbol: string;
  readonly longName: string;
  readonly minTick: number;
  /** IANA time zone of the trading hours, e.g. America/New_York (IB's timeZoneId). */
  readonly timeZoneId: string;
  /** IB's tradingHours text, e.g. "20240102:0400-20240102:2000;20240103:CLOSED". */
  readonly tradingHours: string;
  /** IB's liquidHours text (regular session). */
  readonly liquidHours: string;
  /** When the details were fetched, epoch ms; cached details older than a day are refreshed. */
  readonly fetchedAtMs: number;
}
