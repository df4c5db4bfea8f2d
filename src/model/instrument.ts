import { UsageError } from "../core/errors.js";

/** A tradable contract. Only US stocks and ETFs (SMART-routed, USD) are supported for now. */
export interface Instrument {
  readonly symbol: string;
  readonly secType: "STK";
  readonly exchange: string;
  readonly primaryExchange?: string;
  readonly currency: string;
  /** IB's contract id, once qualified against a gateway. */
  readonly conId?: number;
}

const SYMBOL_PATTERN = /^[A-Z][A-Z0-9]{0,5}([.][A-Z]{1,2})?$/;

/** Normalizes and validates a ticker symbol (`spy` → `SPY`, `BRK.B` ok); throws a UsageError otherwise. */
export function parseSymbol(text: string): string {
  const symbol = text.trim().toUpperCase();
  if (!SYMBOL_PATTERN.test(symbol)) {
    throw new UsageError(
      `bad symbol "${text}": use 1-6 letters or digits starting with a letter, optionally a class suffix (SPY, AAPL, BRK.B)`,
    );
  }
  return symbol;
}

/** A SMART-routed US stock. */
export function stock(symbol: string, conId?: number): Instrument {
  return Object.freeze({
    symbol: parseSymbol(symbol),
    secType: "STK" as const,
    exchange: "SMART",
    currency: "USD",
    ...(conId === undefined ? {} : { conId }),
  });
}
