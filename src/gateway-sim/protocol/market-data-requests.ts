import {
  readRequestComboLegs,
  readRequestContract,
  type RequestComboLeg,
  type RequestContract,
} from "./contract-data-requests.js";
import type { FieldReader } from "./field-reader.js";

// Decoders of the market data requests clients send (ibkr-facts.md §2.5). Each reads from just after the
// message id. Their layouts are the same at every server version the simulator speaks (176 … 193): the
// fields they gained (conId, tradingClass, regulatorySnapshot, keepUpToDate, the options lists) date from
// versions below 124, and the version fields some of them carry are read and ignored, as TWS does.

/** A REQ_MKT_DATA request (top of book). */
export interface MarketDataRequest {
  readonly reqId: number;
  readonly contract: RequestContract;
  readonly comboLegs: readonly RequestComboLeg[];
  /** The delta-neutral contract (conId, delta, price), when the request carries one. */
  readonly deltaNeutral:
    { readonly conId: number; readonly delta: number; readonly price: number } | undefined;
  /** Comma-separated generic tick ids, e.g. "233,236"; "" for the default ticks. */
  readonly genericTickList: string;
  readonly snapshot: boolean;
  readonly regulatorySnapshot: boolean;
  /** mktDataOptions, a TagValue list as text; @stoqey/ib always sends "". */
  readonly options: string;
}

/**
 * REQ_MKT_DATA `[1, 11, reqId, conId … tradingClass, (BAG legs), deltaNeutralFlag (+ conId, delta, price),
 * genericTickList, snapshot, regulatorySnapshot, mktDataOptions]`.
 */
export function decodeMarketDataRequest(request: FieldReader): MarketDataRequest {
  request.readInt(); // version (11)
  const reqId = request.readInt();
  const contract = readRequestContract(request);
  const comboLegs = readRequestComboLegs(request, contract);
  const deltaNeutral = request.readBool()
    ? { conId: request.readInt(), delta: request.readDouble(), price: request.readDouble() }
    : undefined;
  return {
    reqId,
    contract,
    comboLegs,
    deltaNeutral,
    genericTickList: request.readString(),
    snapshot: request.readBool(),
    regulatorySnapshot: request.readBool(),
    options: request.readString(),
  };
}

/** CANCEL_MKT_DATA, CANCEL_HISTORICAL_DATA and CANCEL_REAL_TIME_BARS: `[id, 1, reqId]`; returns reqId. */
export function decodeCancelRequest(request: FieldReader): number {
  request.readInt(); // version (1)
  return request.readInt();
}

/** REQ_MARKET_DATA_TYPE `[59, 1, marketDataType]`; returns the type (1 live … 4 delayed-frozen). */
export function decodeMarketDataTypeRequest(request: FieldReader): number {
  request.readInt(); // version (1)
  return request.readInt();
}

/** A REQ_REAL_TIME_BARS request. */
export interface RealTimeBarsRequest {
  readonly reqId: number;
  readonly contract: RequestContract;
  /** Always 5 in practice; TWS ignores it (ibkr-facts.md §3.3). */
  readonly barSize: number;
  readonly whatToShow: string;
  readonly useRth: boolean;
  /** realTimeBarsOptions, a TagValue list as text. */
  readonly options: string;
}

/**
 * REQ_REAL_TIME_BARS `[50, 3, reqId, conId … tradingClass, barSize, whatToShow, useRTH,
 * realTimeBarsOptions]` (19 fields).
 */
export function decodeRealTimeBarsRequest(request: FieldReader): RealTimeBarsRequest {
  request.readInt(); // version (3)
  const reqId = request.readInt();
  const contract = readRequestContract(request);
  return {
    reqId,
    contract,
    barSize: request.readInt(),
    whatToShow: request.readString(),
    useRth: request.readBool(),
    options: request.readString(),
  };
}

/** A REQ_HISTORICAL_DATA request, its texts exactly as sent. */
export interface HistoricalDataRequest {
  readonly reqId: number;
  readonly contract: RequestContract;
  readonly includeExpired: boolean;
  /** "" for now, else `yyyyMMdd HH:mm:ss[ zone]` or `yyyyMMdd-HH:mm:ss` (UTC). */
  readonly endDateTime: string;
  readonly barSizeSetting: string;
  readonly durationStr: string;
  readonly useRth: boolean;
  readonly whatToShow: string;
  /** 1 = text dates, 2 = epoch seconds, 3 = `MMdd HH:mm:ss zone`; "" reads as 0. */
  readonly formatDate: number;
  readonly comboLegs: readonly RequestComboLeg[];
  readonly keepUpToDate: boolean;
  /** chartOptions, a TagValue list as text ("for internal use" per IB). */
  readonly chartOptions: string;
}

/**
 * REQ_HISTORICAL_DATA (no version field from server version 124) `[20, reqId, conId … tradingClass,
 * includeExpired, endDateTime, barSizeSetting, durationStr, useRTH, whatToShow, formatDate, (BAG legs),
 * keepUpToDate, chartOptions]`; note the bar size comes before the duration.
 */
export function decodeHistoricalDataRequest(request: FieldReader): HistoricalDataRequest {
  const reqId = request.readInt();
  const contract = readRequestContract(request);
  const includeExpired = request.readBool();
  const endDateTime = request.readString();
  const barSizeSetting = request.readString();
  const durationStr = request.readString();
  const useRth = request.readBool();
  const whatToShow = request.readString();
  const formatDate = request.readInt();
  const comboLegs = readRequestComboLegs(request, contract);
  return {
    reqId,
    contract,
    includeExpired,
    endDateTime,
    barSizeSetting,
    durationStr,
    useRth,
    whatToShow,
    formatDate,
    comboLegs,
    keepUpToDate: request.readBool(),
    chartOptions: request.readString(),
  };
}
