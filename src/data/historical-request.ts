import type { Bar } from "../model/bar.js";

/** The kinds of historical bars we ask IB for (IB's whatToShow); BID_ASK counts twice for pacing. */
export type HistoricalWhatToShow = "TRADES" | "MIDPOINT" | "BID" | "ASK" | "BID_ASK";

/**
 * One reqHistoricalData call exactly as it goes to IB: a qualified contract, an end instant, a duration and
 * a bar size in IB's spelling. `startMs`..`endMs` is the span of time the request is meant to cover.
 */
export interface HistoricalRequest {
  readonly symbol: string;
  readonly conId: number;
  /** Routing exchange of the contract, e.g. SMART (part of IB's same-series pacing key). */
  readonly exchange: string;
  /** IB's barSizeSetting, e.g. "1 min", "5 secs", "1 day". */
  readonly barSizeSetting: string;
  /** Bar length in seconds (a day 86,400), for the pacing rules that depend on it. */
  readonly barSeconds: number;
  /** IB's durationStr, e.g. "1 D", "1800 S". */
  readonly durationStr: string;
  /** First instant the request should cover (inclusive), epoch ms UTC. */
  readonly startMs: number;
  /** End instant sent as endDateTime (exclusive), epoch ms UTC. */
  readonly endMs: number;
  readonly whatToShow: HistoricalWhatToShow;
  /** Regular trading hours only. */
  readonly useRth: boolean;
}

/** Every parameter: two requests with the same identity key are "identical" for IB's 15-second rule. */
export function historicalIdentityKey(request: HistoricalRequest): string {
  return [
    request.conId,
    request.exchange,
    request.barSizeSetting,
    request.durationStr,
    request.endMs,
    request.whatToShow,
    request.useRth ? 1 : 0,
  ].join("|");
}

/** Contract, exchange and whatToShow: the key of IB's six-requests-in-two-seconds rule. */
export function historicalSeriesKey(request: HistoricalRequest): string {
  return `${request.conId}|${request.exchange}|${request.whatToShow}`;
}

/**
 * Where historical bars come from (the IB adapter in the daemon). Resolves with the bars IB sent for the
 * request, each stamped with its open and close time; rejects with a `GatewayError`: `PacingViolationError`
 * for a 162 pacing refusal, code GATEWAY_DISCONNECTED when the connection dropped or was down, GATEWAY_TIMEOUT
 * when no answer came in time, IB_REQUEST_REJECTED for other refusals (no data, no permissions).
 */
export interface HistoricalDataPort {
  /** `onSent` (optional) is called once the request has actually left for the gateway (see HistoricalPacer). */
  fetchHistory(request: HistoricalRequest, onSent?: () => void): Promise<readonly Bar[]>;
}
