import type { TwsErrorMessage } from "../protocol/server-messages.js";
import type { SimInstrument } from "../market/sim-instrument.js";

// The ERR_MSGs of market data and contract requests, each with the request id and TWS's text. Where a text
// is not in ibkr-facts.md its source is named; `-'bY'`-style tokens in 321/322 texts vary between TWS
// builds and requests, and clients must not parse them.

/** Prefix of every 162 (ibkr-facts.md §3.1). */
const HMDS_ERROR = "Historical Market Data Service error message:";

/** 200: the contract resolves to nothing (ibkr-facts.md §4; real text). */
export function noSecurityDefinition(reqId: number): TwsErrorMessage {
  return { id: reqId, code: 200, message: "No security definition has been found for the request" };
}

/** 101: every market data line is taken (ibkr-facts.md §3.3). */
export function maxTickersReached(reqId: number): TwsErrorMessage {
  return { id: reqId, code: 101, message: "Max number of tickers has been reached" };
}

/**
 * 354: live data was asked for without a subscription (ibkr-facts.md §3.4). The text is IB's message table
 * entry; real TWS appends "Delayed market data is available." and the contract's description.
 */
export function marketDataNotSubscribed(reqId: number): TwsErrorMessage {
  return {
    id: reqId,
    code: 354,
    message:
      "Requested market data is not subscribed. Check API status by selecting the Account menu then under Management choose Market Data Subscription Manager and/or availability of delayed data.",
  };
}

/** 10167: a warning; delayed ticks follow (ibkr-facts.md §3.4; @stoqey/ib's ErrorCode text). */
export function displayingDelayedData(reqId: number): TwsErrorMessage {
  return {
    id: reqId,
    code: 10167,
    message: "Requested market data is not subscribed. Displaying delayed market data.",
  };
}

/** 300: cancelMktData for a ticker id with no subscription (real text in captured logs; not in the facts). */
export function tickerNotFound(reqId: number): TwsErrorMessage {
  return { id: reqId, code: 300, message: `Can't find EId with tickerId:${reqId}` };
}

/** 322: a market data or real-time bars request reuses an active ticker id (real text in captured logs). */
export function duplicateTickerId(reqId: number): TwsErrorMessage {
  return { id: reqId, code: 322, message: "Error processing request.-'bQ' : cause - Duplicate ticker id" };
}

/**
 * 322: a historical request reuses the id of an open one. Captured logs show 322 with this text; the facts
 * (§3.1) name 386 for duplicate historical ids without a text, so the logged form is used.
 */
export function duplicateHistoricalTickerId(reqId: number): TwsErrorMessage {
  return {
    id: reqId,
    code: 322,
    message: "Error processing request.-'bM' : cause - Duplicate ticker ID for API historical data query",
  };
}

/** The exchange IB names in permission errors: Nasdaq listings are ISLAND. */
function permissionExchange(instrument: SimInstrument): string {
  return instrument.primaryExchange === "NASDAQ" ? "ISLAND" : instrument.primaryExchange;
}

/**
 * 420 for reqRealTimeBars without a live subscription. The facts (§7) call the exact code and text
 * unverified; this is the form captured from real TWS in public client code ("…for NYSE STK. Requested
 * market data requires additional subscription for API…", "…for ISLAND STK.").
 */
export function realTimeBarsNotPermitted(reqId: number, instrument: SimInstrument): TwsErrorMessage {
  return {
    id: reqId,
    code: 420,
    message: `Invalid Real-time Query:No market data permissions for ${permissionExchange(instrument)} STK. Requested market data requires additional subscription for API. See link in 'Market Data Connections' dialog for more details.`,
  };
}

/** 321 for a whatToShow that is not a data type (ibkr-facts.md §4, real text). */
export function whatToShowInvalid(reqId: number): TwsErrorMessage {
  return {
    id: reqId,
    code: 321,
    message: "Error validating request.-'bY' : cause - What to show field is missing or incorrect.",
  };
}

/** 321 for a bar size IB does not have; the list is TWS's own (ibkr-facts.md §3.1, dshe/InterReact#16). */
export function barSizeInvalid(reqId: number): TwsErrorMessage {
  return {
    id: reqId,
    code: 321,
    message:
      "Error validating request.-'bI' : cause - Historical data bar size setting is invalid. Legal ones are: 1 secs, 5 secs, 10 secs, 15 secs, 30 secs, 1 min, 2 mins, 3 mins, 5 mins, 10 mins, 15 mins, 20 mins, 30 mins, 1 hour, 2 hours, 3 hours, 4 hours, 8 hours, 1 day, 1W, 1M",
  };
}

/** 321 for an endDateTime TWS cannot read (real text quoted in public client code; two spaces before "Format"). */
export function endDateTimeInvalid(reqId: number, endDateTime: string): TwsErrorMessage {
  return {
    id: reqId,
    code: 321,
    message: `Error validating request.-'bI' : cause - Historical data query end date/time string [${endDateTime}] is invalid.  Format is 'YYYYMMDD{SPACE}hh:mm:ss[{SPACE}TMZ]'.`,
  };
}

/** 321 for a durationStr that is not `<positive integer> <S|D|W|M|Y>`; TWS's exact text is unknown, this one is ours. */
export function durationInvalid(reqId: number, durationStr: string): TwsErrorMessage {
  return {
    id: reqId,
    code: 321,
    message: `Error validating request.-'bI' : cause - Historical data query duration string [${durationStr}] is invalid. Format is '<integer>{SPACE}<S|D|W|M|Y>'.`,
  };
}

/** 321: keepUpToDate with an endDateTime (ibkr-facts.md §3.1 rule; text as used by other TWS simulators, unverified). */
export function endDateWithLiveUpdates(reqId: number): TwsErrorMessage {
  return {
    id: reqId,
    code: 321,
    message: "Error validating request.-'bM' : cause - End date not supported with live updates",
  };
}

/** 321: keepUpToDate for a whatToShow other than TRADES, MIDPOINT, BID, ASK (rule §3.1; text unverified). */
export function sourceWithLiveUpdates(reqId: number): TwsErrorMessage {
  return {
    id: reqId,
    code: 321,
    message: "Error validating request.-'bM' : cause - Source price not supported with live updates",
  };
}

/** 321: keepUpToDate with 1-second bars; updates start at 5 s (rule §3.1; the text is ours). */
export function barSizeWithLiveUpdates(reqId: number): TwsErrorMessage {
  return {
    id: reqId,
    code: 321,
    message: "Error validating request.-'bM' : cause - Bar size not supported with live updates",
  };
}

/** 162 pacing violation, with IB's exact text (ibkr-facts.md §3.1). */
export function historicalPacingViolation(reqId: number): TwsErrorMessage {
  return { id: reqId, code: 162, message: `${HMDS_ERROR}Historical data request pacing violation` };
}

/**
 * 162 for a duration beyond IB's maximum for the bar size (limits: ibkr-facts.md §3.1, DOC 21-hist-md.md;
 * the text is the one TWS sends, quoted in several public clients).
 */
export function timeLengthExceedsMax(reqId: number): TwsErrorMessage {
  return { id: reqId, code: 162, message: `${HMDS_ERROR}Time length exceed max.` };
}

/** 162 when the window holds no bars, in the real form "…HMDS query returned no data: DELL@SMART Trades" (§3.1). */
export function historicalNoData(
  reqId: number,
  symbol: string,
  exchange: string,
  whatToShow: string,
): TwsErrorMessage {
  const series = whatToShow
    .toLowerCase()
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("_");
  return {
    id: reqId,
    code: 162,
    message: `${HMDS_ERROR}HMDS query returned no data: ${symbol}@${exchange} ${series}`,
  };
}

/** 366: cancelHistoricalData for an id with no open query (real text: ibkr-facts.md §3.1, ib_insync logs). */
export function historicalQueryNotFound(reqId: number): TwsErrorMessage {
  return { id: reqId, code: 366, message: `No historical data query found for ticker id:${reqId}` };
}
