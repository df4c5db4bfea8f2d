import { US_EQUITY_VALID_EXCHANGES, type SimInstrument } from "./sim-instrument.js";

// Real IB conIds of SMART-routed USD listings. Industry texts follow IB's (Bloomberg) classification as seen
// in contract details; for the ETFs they are illustrative. QQQ is listed on Nasdaq, not NYSE Arca (IB reports
// primaryExch NASDAQ, tradingClass NMS). Start prices are early-January 2025 levels.
// Columns: symbol | conId | primary exchange | stock type | long name | industry | category | subcategory |
// ISIN | start price | annual volatility | average daily volume.
const INSTRUMENT_TABLE = `
SPY   | 756733    | ARCA   | ETF    | SPDR S&P 500 ETF TRUST      | Funds    | Equity Fund | Large Cap        | US78462F1030 | 585 | 0.16 | 60000000
QQQ   | 320227571 | NASDAQ | ETF    | INVESCO QQQ TRUST SERIES 1  | Funds    | Equity Fund | Large Cap Growth | US46090E1038 | 510 | 0.21 | 40000000
IWM   | 9579970   | ARCA   | ETF    | ISHARES RUSSELL 2000 ETF    | Funds    | Equity Fund | Small Cap        | US4642876555 | 220 | 0.22 | 30000000
DIA   | 73128548  | ARCA   | ETF    | SPDR DJIA TRUST             | Funds    | Equity Fund | Large Cap Value  | US78467X1090 | 425 | 0.15 | 3500000
AAPL  | 265598    | NASDAQ | COMMON | APPLE INC                   | Technology | Computers | Computers | US0378331005 | 243 | 0.28 | 50000000
MSFT  | 272093    | NASDAQ | COMMON | MICROSOFT CORP              | Technology | Software | Applications Software | US5949181045 | 418 | 0.25 | 20000000
GOOGL | 208813719 | NASDAQ | COMMON | ALPHABET INC-CL A           | Communications | Internet | Web Portals/ISP | US02079K3059 | 190 | 0.30 | 25000000
AMZN  | 3691937   | NASDAQ | COMMON | AMAZON.COM INC              | Communications | Internet | E-Commerce/Products | US0231351067 | 220 | 0.33 | 40000000
TSLA  | 76792991  | NASDAQ | COMMON | TESLA INC                   | Consumer, Cyclical | Auto Manufacturers | Auto-Cars/Light Trucks | US88160R1014 | 380 | 0.60 | 90000000
IBM   | 8314      | NYSE   | COMMON | INTL BUSINESS MACHINES CORP | Technology | Computers | Computer Services | US4592001014 | 220 | 0.24 | 4000000
NVDA  | 4815747   | NASDAQ | COMMON | NVIDIA CORP                 | Technology | Semiconductors | Electronic Compo-Semicon | US67066G1040 | 138 | 0.50 | 250000000
META  | 107113386 | NASDAQ | COMMON | META PLATFORMS INC-CLASS A  | Communications | Internet | Internet Content-Entmnt | US30303M1027 | 600 | 0.40 | 12000000
NFLX  | 15124833  | NASDAQ | COMMON | NETFLIX INC                 | Communications | Internet | Internet Content-Entmnt | US64110L1061 | 885 | 0.40 | 3500000
JPM   | 1520593   | NYSE   | COMMON | JPMORGAN CHASE & CO         | Financial | Banks | Diversified Banking Inst | US46625H1005 | 240 | 0.25 | 9000000
BAC   | 10098     | NYSE   | COMMON | BANK OF AMERICA CORP        | Financial | Banks | Diversified Banking Inst | US0605051046 | 44 | 0.28 | 38000000
XOM   | 13977     | NYSE   | COMMON | EXXON MOBIL CORP            | Energy | Oil&Gas | Oil Comp-Integrated | US30231G1022 | 108 | 0.25 | 15000000
KO    | 8894      | NYSE   | COMMON | COCA-COLA CO/THE            | Consumer, Non-cyclical | Beverages | Beverages-Non-alcoholic | US1912161007 | 62 | 0.16 | 14000000
DIS   | 6459      | NYSE   | COMMON | WALT DISNEY CO/THE          | Communications | Media | Multimedia | US2546871060 | 110 | 0.28 | 9000000
`;

const PRIMARY_EXCHANGES = ["NASDAQ", "NYSE", "ARCA"] as const;
const STOCK_TYPES = ["COMMON", "ETF"] as const;

function oneOf<T extends string>(allowed: readonly T[], value: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new RangeError(`"${value}" is not one of ${allowed.join(", ")}`);
  return found;
}

function parseRow(line: string): SimInstrument {
  const cells = line.split("|").map((cell) => cell.trim());
  const [symbol, conId, exchange, stockType, longName, industry, category, subcategory, isin, ...numbers] =
    cells;
  const [startPrice, annualVolatility, averageDailyVolume] = numbers.map(Number);
  if (
    cells.length !== 12 ||
    symbol === undefined ||
    conId === undefined ||
    exchange === undefined ||
    stockType === undefined ||
    longName === undefined ||
    industry === undefined ||
    category === undefined ||
    subcategory === undefined ||
    isin === undefined ||
    startPrice === undefined ||
    annualVolatility === undefined ||
    averageDailyVolume === undefined
  ) {
    throw new RangeError(`bad instrument table row: ${line}`);
  }
  return Object.freeze({
    symbol,
    conId: Number(conId),
    secType: "STK" as const,
    currency: "USD" as const,
    primaryExchange: oneOf(PRIMARY_EXCHANGES, exchange),
    longName,
    industry,
    category,
    subcategory,
    stockType: oneOf(STOCK_TYPES, stockType),
    isin,
    startPrice,
    annualVolatility,
    averageDailyVolume,
  });
}

/** The simulator's built-in US stocks and ETFs, each with its real IB conId. */
export const BUILT_IN_INSTRUMENTS: readonly SimInstrument[] = Object.freeze(
  INSTRUMENT_TABLE.trim().split("\n").map(parseRow),
);

/** True when a contract field is unset (stoqey sends "" for every field the app left undefined). */
function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === "";
}

/** A set of instruments looked up the way TWS resolves a contract: by conId, or by symbol with optional type, exchange and currency. */
export class InstrumentUniverse {
  private readonly bySymbol = new Map<string, SimInstrument>();
  private readonly byConId = new Map<number, SimInstrument>();

  constructor(instruments: readonly SimInstrument[]) {
    for (const instrument of instruments) {
      if (this.bySymbol.has(instrument.symbol) || this.byConId.has(instrument.conId)) {
        throw new RangeError(`instrument ${instrument.symbol} (conId ${instrument.conId}) is listed twice`);
      }
      this.bySymbol.set(instrument.symbol, instrument);
      this.byConId.set(instrument.conId, instrument);
    }
  }

  /** Every instrument, in the order given. */
  all(): readonly SimInstrument[] {
    return [...this.bySymbol.values()];
  }

  /** The instrument with an IB conId, if any. */
  lookupConId(conId: number): SimInstrument | undefined {
    return this.byConId.get(conId);
  }

  /**
   * The instrument a symbol names (case-insensitive), if the optional fields agree with it: secType STK,
   * exchange SMART, its primary exchange or any exchange it can be routed to, currency USD; blank fields
   * match anything.
   */
  lookup(symbol: string, secType?: string, exchange?: string, currency?: string): SimInstrument | undefined {
    const instrument = this.bySymbol.get(symbol.trim().toUpperCase());
    if (instrument === undefined) return undefined;
    if (!isBlank(secType) && secType?.trim().toUpperCase() !== instrument.secType) return undefined;
    if (!isBlank(currency) && currency?.trim().toUpperCase() !== instrument.currency) return undefined;
    if (!isBlank(exchange)) {
      const wanted = exchange?.trim().toUpperCase() ?? "";
      if (wanted !== instrument.primaryExchange && !US_EQUITY_VALID_EXCHANGES.includes(wanted))
        return undefined;
    }
    return instrument;
  }
}

const builtInUniverse = new InstrumentUniverse(BUILT_IN_INSTRUMENTS);

/** Looks an instrument up in the built-in universe (see {@link InstrumentUniverse.lookup}). */
export function lookupInstrument(
  symbol: string,
  secType?: string,
  exchange?: string,
  currency?: string,
): SimInstrument | undefined {
  return builtInUniverse.lookup(symbol, secType, exchange, currency);
}
