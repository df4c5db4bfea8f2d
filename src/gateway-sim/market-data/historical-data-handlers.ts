import { DAY_MS } from "../../data/civil-calendar.js";
import { barSpanOf, parseBarSize, type BarSize } from "../market/bar-size.js";
import { FIVE_SECONDS_MS } from "../market/intraday-path.js";
import { WHAT_TO_SHOW, type MarketBar, type WhatToShow } from "../market/market-bar.js";
import type { SimInstrument } from "../market/sim-instrument.js";
import { encodeHistoricalData, encodeHistoricalDataUpdate } from "../protocol/market-data-messages.js";
import {
  decodeCancelRequest,
  decodeHistoricalDataRequest,
  type HistoricalDataRequest,
} from "../protocol/market-data-requests.js";
import type { TwsErrorMessage } from "../protocol/server-messages.js";
import type { RequestHandler, SessionContext } from "../server/request-handler.js";
import { resolveContract } from "./contract-resolver.js";
import { formingBar } from "./forming-bar.js";
import { formatBarDate, formatTwsDateTime } from "./historical-bar-dates.js";
import {
  barSeconds,
  exceedsMaxDuration,
  parseDuration,
  type HistoricalDuration,
} from "./historical-duration.js";
import { parseEndDateTime } from "./historical-end-time.js";
import type { PacedHistoricalRequest } from "./historical-pacing-rules.js";
import { historicalWindow, monthsBefore } from "./historical-window.js";
import * as errors from "./market-data-errors.js";
import { startPeriodicStream } from "./periodic-stream.js";
import type { MarketDataContext } from "./market-data-context.js";

/** Every whatToShow IB's historical service knows; the model can answer the first four (WHAT_TO_SHOW). */
const KNOWN_WHAT_TO_SHOW = new Set([
  ...WHAT_TO_SHOW,
  "BID_ASK",
  "ADJUSTED_LAST",
  "HISTORICAL_VOLATILITY",
  "OPTION_IMPLIED_VOLATILITY",
  "FEE_RATE",
  "REBATE_RATE",
  "YIELD_BID",
  "YIELD_ASK",
  "YIELD_BID_ASK",
  "YIELD_LAST",
  "SCHEDULE",
  "AGGTRADES",
]);

/** keepUpToDate sends the forming bar this often: TWS updates "approximately every 4-6 seconds" (DOC 21-hist-md.md). */
const UPDATE_INTERVAL_MS = FIVE_SECONDS_MS;

/** Bars of 30 s or less older than six months are not available (ibkr-facts.md §3.1 "Unavailable data"). */
const SMALL_BAR_HISTORY_MONTHS = 6;

/**
 * Most bars the simulator puts in one answer, keeping HISTORICAL_DATA well under the 16 MiB frame limit
 * (ibkr-facts.md §1.1). Larger requests get 162 "Time length exceed max." — a simulator limit: IB's table
 * would allow, say, 365 D of 5-second bars, though its step-size guidance keeps requests to a few thousand bars.
 */
const MAX_BARS_PER_ANSWER = 100_000;

function isModelled(whatToShow: string): whatToShow is WhatToShow {
  return (WHAT_TO_SHOW as readonly string[]).includes(whatToShow);
}

/** An answer that is either a value or the ERR_MSG TWS sends instead. */
type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: TwsErrorMessage };

function refuse(error: TwsErrorMessage): { readonly ok: false; readonly error: TwsErrorMessage } {
  return { ok: false, error };
}

/** A request that passed TWS's own validation (321s), ready for the data farm. */
interface ValidatedRequest {
  readonly request: HistoricalDataRequest;
  readonly instrument: SimInstrument;
  readonly barSize: BarSize;
  readonly whatToShow: string;
  /** The requested end, or now when that is later. */
  readonly endMs: number;
  readonly duration: HistoricalDuration;
  readonly exchange: string;
}

/**
 * REQ_HISTORICAL_DATA and CANCEL_HISTORICAL_DATA. A request is validated as TWS does (200, 321), then paced
 * (162 pacing violation, HistoricalPacingRules), then served from the market model in one HISTORICAL_DATA;
 * with keepUpToDate it stays open and sends the forming bar as HISTORICAL_DATA_UPDATE every 5 simulated
 * seconds until cancelled.
 */
export function createHistoricalDataHandlers(context: MarketDataContext): {
  request: RequestHandler;
  cancel: RequestHandler;
} {
  const { sessions, scheduler, pacing } = context;

  const validate = (request: HistoricalDataRequest): Outcome<ValidatedRequest> => {
    const { reqId } = request;
    const instrument = resolveContract(context.universe, request.contract);
    if (instrument === undefined) return refuse(errors.noSecurityDefinition(reqId));
    const barSize = parseBarSize(request.barSizeSetting);
    if (barSize === undefined) return refuse(errors.barSizeInvalid(reqId));
    const whatToShow = request.whatToShow.trim().toUpperCase();
    if (!KNOWN_WHAT_TO_SHOW.has(whatToShow)) return refuse(errors.whatToShowInvalid(reqId));
    const nowMs = scheduler.clock.nowMs();
    const requestedEndMs = parseEndDateTime(request.endDateTime, nowMs);
    if (requestedEndMs === undefined) return refuse(errors.endDateTimeInvalid(reqId, request.endDateTime));
    // An end in the future is served up to now.
    const endMs = Math.min(requestedEndMs, nowMs);
    if (request.keepUpToDate) {
      // keepUpToDate: no end date, TRADES/MIDPOINT/BID/ASK only, bars of 5 s and up (ibkr-facts.md §3.1).
      if (request.endDateTime.trim() !== "") return refuse(errors.endDateWithLiveUpdates(reqId));
      if (!isModelled(whatToShow)) return refuse(errors.sourceWithLiveUpdates(reqId));
      if (barSize === "1 secs") return refuse(errors.barSizeWithLiveUpdates(reqId));
    }
    const duration = parseDuration(request.durationStr);
    if (duration === undefined) return refuse(errors.durationInvalid(reqId, request.durationStr));
    const exchange = request.contract.exchange.trim().toUpperCase();
    return { ok: true, value: { request, instrument, barSize, whatToShow, endMs, duration, exchange } };
  };

  const pacedRequest = (valid: ValidatedRequest): PacedHistoricalRequest => {
    const { request, instrument, barSize, whatToShow, exchange } = valid;
    const seriesKey = `${instrument.conId}|${exchange}|${whatToShow}`;
    return {
      identityKey: [
        seriesKey,
        request.endDateTime.trim(),
        request.durationStr.trim(),
        barSize,
        request.useRth,
        request.formatDate,
        request.keepUpToDate,
      ].join("|"),
      seriesKey,
      barSeconds: barSeconds(barSize),
      whatToShow,
    };
  };

  /** The bars of the request, or the 162 the data farm answers instead. */
  const serve = (valid: ValidatedRequest): Outcome<readonly MarketBar[]> => {
    const { request, instrument, barSize, whatToShow, duration, exchange } = valid;
    const { reqId } = request;
    if (exceedsMaxDuration(duration, barSize)) return refuse(errors.timeLengthExceedsMax(reqId));
    const noData = refuse(errors.historicalNoData(reqId, instrument.symbol, exchange, whatToShow));
    // BID_ASK, ADJUSTED_LAST and the rest are valid requests the model has no series for.
    if (!isModelled(whatToShow)) return noData;
    const { endMs } = valid;
    let { fromMs } = historicalWindow(duration, endMs);
    const span = barSpanOf(barSize);
    if (span.kind === "seconds" && span.seconds <= 30) {
      fromMs = Math.max(fromMs, monthsBefore(scheduler.clock.nowMs(), SMALL_BAR_HISTORY_MONTHS));
    }
    if (span.kind === "seconds") {
      const sessionsSpanned = Math.ceil(Math.max(0, endMs - fromMs) / DAY_MS) + 1;
      const barsPerSession = Math.ceil((6.5 * 3600) / span.seconds);
      if (sessionsSpanned * barsPerSession > MAX_BARS_PER_ANSWER) {
        return refuse(errors.timeLengthExceedsMax(reqId));
      }
    }
    const bars =
      fromMs < endMs
        ? context.model.bars(instrument.symbol, { fromMs, toMs: endMs, barSize, whatToShow })
        : [];
    // keepUpToDate answers even an empty history (updates follow); a one-off request with no bars gets 162.
    if (bars.length === 0 && !request.keepUpToDate) return noData;
    return { ok: true, value: bars };
  };

  const sendHistory = (
    session: SessionContext,
    valid: ValidatedRequest,
    bars: readonly MarketBar[],
  ): void => {
    const { request, barSize, duration, endMs } = valid;
    session.send(
      encodeHistoricalData(session.serverVersion, {
        reqId: request.reqId,
        startDate: formatTwsDateTime(historicalWindow(duration, endMs).reportedStartMs),
        endDate: formatTwsDateTime(endMs),
        bars: bars.map((bar) => ({ ...bar, date: formatBarDate(bar.timeMs, barSize, request.formatDate) })),
      }),
    );
  };

  const keepUpToDate = (
    session: SessionContext,
    valid: ValidatedRequest,
    whatToShow: WhatToShow,
    release: () => void,
  ): void => {
    const { request, instrument, barSize } = valid;
    startPeriodicStream({
      scheduler,
      session,
      streams: sessions.of(session).historical,
      reqId: request.reqId,
      intervalMs: UPDATE_INTERVAL_MS,
      name: "keepUpToDate",
      tick: (atMs) => {
        const bar = formingBar(context.model, instrument.symbol, barSize, whatToShow, atMs);
        if (bar === undefined) return;
        const date = formatBarDate(bar.timeMs, barSize, request.formatDate);
        session.send(encodeHistoricalDataUpdate(session.serverVersion, request.reqId, { ...bar, date }));
      },
      release,
    });
  };

  const request: RequestHandler = (fields, session) => {
    const decoded = decodeHistoricalDataRequest(fields);
    const { reqId } = decoded;
    if (sessions.of(session).historical.has(reqId)) {
      session.sendError(errors.duplicateHistoricalTickerId(reqId));
      return;
    }
    const validated = validate(decoded);
    if (!validated.ok) {
      session.sendError(validated.error);
      return;
    }
    const valid = validated.value;
    const decision = pacing.admit(pacedRequest(valid), scheduler.clock.nowMs());
    if (!decision.admitted) {
      session.logger.debug(
        { sessionId: session.sessionId, reqId, rule: decision.rule },
        "historical pacing violation",
      );
      session.sendError(errors.historicalPacingViolation(reqId));
      return;
    }
    const served = serve(valid);
    if (!served.ok) {
      decision.release();
      session.sendError(served.error);
      return;
    }
    sendHistory(session, valid, served.value);
    if (decoded.keepUpToDate && isModelled(valid.whatToShow)) {
      keepUpToDate(session, valid, valid.whatToShow, decision.release);
    } else {
      decision.release();
    }
  };

  const cancel: RequestHandler = (fields, session) => {
    const reqId = decodeCancelRequest(fields);
    if (!sessions.of(session).historical.stop(reqId))
      session.sendError(errors.historicalQueryNotFound(reqId));
  };

  return { request, cancel };
}
