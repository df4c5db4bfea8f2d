import { FIVE_SECONDS_MS } from "../market/intraday-path.js";
import { WHAT_TO_SHOW, type WhatToShow } from "../market/market-bar.js";
import { encodeRealTimeBar } from "../protocol/market-data-messages.js";
import { decodeCancelRequest, decodeRealTimeBarsRequest } from "../protocol/market-data-requests.js";
import type { RequestHandler } from "../server/request-handler.js";
import { resolveContract } from "./contract-resolver.js";
import * as errors from "./market-data-errors.js";
import { startPeriodicStream } from "./periodic-stream.js";
import type { MarketDataContext } from "./market-data-context.js";

function asWhatToShow(text: string): WhatToShow | undefined {
  const upper = text.trim().toUpperCase();
  return WHAT_TO_SHOW.find((candidate) => candidate === upper);
}

/**
 * REQ_REAL_TIME_BARS and CANCEL_REAL_TIME_BARS: one REAL_TIME_BARS per 5 simulated seconds, sent when the
 * bar ends and stamped with its start, from MarketModel.fiveSecondBar for TRADES, MIDPOINT, BID or ASK
 * (ibkr-facts.md §3.3). Only bars inside a session exist, so nothing is sent between sessions, whatever
 * useRTH says. A subscription holds a market data line (101 when none is free).
 */
export function createRealTimeBarsHandlers(context: MarketDataContext): {
  request: RequestHandler;
  cancel: RequestHandler;
} {
  const { sessions, scheduler, model, lines } = context;

  const request: RequestHandler = (fields, session) => {
    const { reqId, contract, whatToShow: whatToShowText } = decodeRealTimeBarsRequest(fields);
    const state = sessions.of(session);
    if (state.realTimeBars.has(reqId)) {
      session.sendError(errors.duplicateTickerId(reqId));
      return;
    }
    const instrument = resolveContract(context.universe, contract);
    if (instrument === undefined) {
      session.sendError(errors.noSecurityDefinition(reqId));
      return;
    }
    const whatToShow = asWhatToShow(whatToShowText);
    if (whatToShow === undefined) {
      session.sendError(errors.whatToShowInvalid(reqId));
      return;
    }
    // Delayed data does not work for tick-level data, so not for real-time bars (ibkr-facts.md §3.4), and
    // reqMarketDataType does not change that. The code and text TWS then sends are unverified (§7: "believed
    // 420 'Invalid Real-time Query:No market data permissions for …'"); 420 with that text is used.
    if (!context.options.liveDataAccounts) {
      session.sendError(errors.realTimeBarsNotPermitted(reqId, instrument));
      return;
    }
    const releaseLine = lines.acquire();
    if (releaseLine === undefined) {
      session.sendError(errors.maxTickersReached(reqId));
      return;
    }
    startPeriodicStream({
      scheduler,
      session,
      streams: state.realTimeBars,
      reqId,
      intervalMs: FIVE_SECONDS_MS,
      name: "real-time bars",
      tick: (endMs) => {
        const startMs = endMs - FIVE_SECONDS_MS;
        const bar = model.fiveSecondBar(instrument.symbol, startMs, whatToShow);
        if (bar !== undefined)
          session.send(encodeRealTimeBar(session.serverVersion, reqId, startMs / 1000, bar));
      },
      release: releaseLine,
    });
  };

  const cancel: RequestHandler = (fields, session) => {
    const reqId = decodeCancelRequest(fields);
    // The facts give no TWS answer to cancelling an unknown real-time bars id; it is ignored.
    if (!sessions.of(session).realTimeBars.stop(reqId)) {
      session.logger.debug({ sessionId: session.sessionId, reqId }, "cancelRealTimeBars for an unknown id");
    }
  };

  return { request, cancel };
}
