/**
 * CONTRACT_DATA as TWS sends it for a SMART-routed US stock or ETF (ibkr-facts §2.2, modelled on TWS's real
 * AAPL reply). Empty texts are sent as empty fields and `evMultiplier` undefined as an empty (unset) double.
 * Trading hours are 04:00–20:00 and liquid (regular) hours 09:30–16:00 New York from the requested day on,
 * with NYSE holidays and weekends `CLOSED`; early closes are not modelled (as in `data/trading-session.ts`).
 * Nasdaq listings trade as class `NMS`, NYSE and Arca listings under their symbol.
 */
import { civilFromDays } from "../../data/civil-calendar.js";
import { newYorkDayNumber } from "../../data/new-york-time.js";
import { isTradingDay } from "../../data/trading-session.js";
import { US_EQUITY_VALID_EXCHANGES, type SimInstrument } from "./sim-instrument.js";

/** The values of a CONTRACT_DATA message for a US stock or ETF, in wire order and before encoding. */
export interface ContractDetails {
  readonly symbol: string;
  readonly secType: "STK";
  readonly lastTradeDateOrContractMonth: "";
  /** Sent only from server version 182. */
  readonly lastTradeDate: "";
  readonly strike: 0;
  readonly right: "";
  readonly exchange: "SMART";
  readonly currency: "USD";
  readonly localSymbol: string;
  readonly marketName: string;
  readonly tradingClass: string;
  readonly conId: number;
  readonly minTick: 0.01;
  readonly multiplier: "";
  readonly orderTypes: string;
  readonly validExchanges: string;
  readonly priceMagnifier: 1;
  readonly underConId: 0;
  readonly longName: string;
  readonly primaryExch: string;
  readonly contractMonth: "";
  readonly industry: string;
  readonly category: string;
  readonly subcategory: string;
  readonly timeZoneId: "US/Eastern";
  /** `yyyyMMdd:HHmm-yyyyMMdd:HHmm` per day, `;`-separated; `yyyyMMdd:CLOSED` for a day without a session. */
  readonly tradingHours: string;
  readonly liquidHours: string;
  readonly evRule: "";
  readonly evMultiplier: undefined;
  readonly secIdList: readonly { readonly tag: string; readonly value: string }[];
  readonly aggGroup: 1;
  readonly underSymbol: "";
  readonly underSecType: "";
  readonly marketRuleIds: string;
  readonly realExpirationDate: "";
  readonly stockType: "COMMON" | "ETF";
  readonly minSize: 0.0001;
  readonly sizeIncrement: 0.0001;
  readonly suggestedSizeIncrement: 100;
  /** Sent only from server version 186 (as a count, then id/description pairs). */
  readonly ineligibilityReasons: readonly { readonly id: string; readonly description: string }[];
}

/** Order types TWS lists for a SMART-routed US stock. */
const ORDER_TYPES = [
  "ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AON,AVGCOST,BASKET,BENCHPX,CASHQTY,COND,CONDORDER,DARKONLY,DARKPOLL,DAY",
  "DEACT,DEACTDIS,DEACTEOD,DIS,DUR,GAT,GTC,GTD,GTT,HID,IBKRATS,ICE,IMB,IOC,LIT,LMT,LOC,MIDPX,MIT,MKT,MOC,MTL",
  "NGCOMB,NODARK,NONALGO,OCA,OPG,OPGREROUT,PEGBENCH,PEGMID,POSTATS,POSTONLY,PREOPGRTH,PRICECHK,REL,REL2MID",
  "RELPCTOFS,RPI,RTH,SCALE,SCALEODD,SCALERST,SIZECHK,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,SWEEP,TRAIL,TRAILLIT",
  "TRAILLMT,TRAILMIT,WHATIF",
].join(",");

/** IB's market rule 26: a one-cent tick for US stocks at every price. */
const US_STOCK_MARKET_RULE = "26";

function compactDate(dayNumber: number): string {
  const { year, month, day } = civilFromDays(dayNumber);
  return `${year}${String(month).padStart(2, "0")}${String(day).padStart(2, "0")}`;
}

/** A `tradingHours`/`liquidHours` text for `days` New York days from the one containing `atMs`. */
function hoursText(atMs: number, days: number, from: string, to: string): string {
  const firstDay = newYorkDayNumber(atMs);
  const parts: string[] = [];
  for (let dayNumber = firstDay; dayNumber < firstDay + days; dayNumber++) {
    const { year, month, day } = civilFromDays(dayNumber);
    const date = compactDate(dayNumber);
    parts.push(isTradingDay(year, month, day) ? `${date}:${from}-${date}:${to}` : `${date}:CLOSED`);
  }
  return parts.join(";");
}

/** The CONTRACT_DATA values TWS would send for an instrument when asked at `atMs`, with `days` days of hours. */
export function contractDetails(instrument: SimInstrument, atMs: number, days = 7): ContractDetails {
  const tradingClass = instrument.primaryExchange === "NASDAQ" ? "NMS" : instrument.symbol;
  return {
    symbol: instrument.symbol,
    secType: "STK",
    lastTradeDateOrContractMonth: "",
    lastTradeDate: "",
    strike: 0,
    right: "",
    exchange: "SMART",
    currency: "USD",
    localSymbol: instrument.symbol,
    marketName: tradingClass,
    tradingClass,
    conId: instrument.conId,
    minTick: 0.01,
    multiplier: "",
    orderTypes: ORDER_TYPES,
    validExchanges: US_EQUITY_VALID_EXCHANGES.join(","),
    priceMagnifier: 1,
    underConId: 0,
    longName: instrument.longName,
    primaryExch: instrument.primaryExchange,
    contractMonth: "",
    industry: instrument.industry,
    category: instrument.category,
    subcategory: instrument.subcategory,
    timeZoneId: "US/Eastern",
    tradingHours: hoursText(atMs, days, "0400", "2000"),
    liquidHours: hoursText(atMs, days, "0930", "1600"),
    evRule: "",
    evMultiplier: undefined,
    secIdList: instrument.isin === undefined ? [] : [{ tag: "ISIN", value: instrument.isin }],
    aggGroup: 1,
    underSymbol: "",
    underSecType: "",
    marketRuleIds: US_EQUITY_VALID_EXCHANGES.map(() => US_STOCK_MARKET_RULE).join(","),
    realExpirationDate: "",
    stockType: instrument.stockType,
    minSize: 0.0001,
    sizeIncrement: 0.0001,
    suggestedSizeIncrement: 100,
    ineligibilityReasons: [],
  };
}
