import type { RequestContract } from "../protocol/contract-data-requests.js";
import type { InstrumentUniverse } from "../market/instrument-universe.js";
import type { SimInstrument } from "../market/sim-instrument.js";

/** A security id a contract details request may name the instrument by. */
export interface SecurityId {
  readonly secIdType: string;
  readonly secId: string;
}

function isBlank(text: string): boolean {
  return text.trim() === "";
}

/**
 * Resolves a requested contract the way TWS does for the simulator's stocks: by conId when one is given
 * (a symbol, if also given, must agree), else by symbol (or local symbol, which equals it for US stocks)
 * with optional secType, exchange and currency, else by ISIN. Undefined means TWS's error 200.
 */
export function resolveContract(
  universe: InstrumentUniverse,
  contract: RequestContract,
  securityId?: SecurityId,
): SimInstrument | undefined {
  const { conId, symbol, secType, exchange, currency, localSymbol } = contract;
  if (conId > 0) {
    const instrument = universe.lookupConId(conId);
    if (instrument === undefined) return undefined;
    if (!isBlank(symbol) && symbol.trim().toUpperCase() !== instrument.symbol) return undefined;
    return instrument;
  }
  const name = isBlank(symbol) ? localSymbol : symbol;
  if (!isBlank(name)) return universe.lookup(name, secType, exchange, currency);
  if (securityId?.secIdType.trim().toUpperCase() === "ISIN") {
    const isin = securityId.secId.trim().toUpperCase();
    return universe.all().find((instrument) => instrument.isin === isin);
  }
  return undefined;
}
