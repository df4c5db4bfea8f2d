import { InvariantError } from "../../core/errors.js";
import { BARS_PER_SESSION, FIVE_SECONDS_MS } from "../market/intraday-path.js";
import type { MarketModel } from "../market/market-model.js";
import { latestOpenedSession } from "../market/trading-day-calendar.js";
import type { TimedQuote } from "./quote-ticks.js";

/**
 * The model's quote at `atMs` with the time of its last trade: the quote moves to each 5-second bar's close
 * when that bar ends (MarketModel.quote), so the last trade is the end of the latest finished 5-second bar
 * of the latest session that has opened — its open before the first bar ends, its close between sessions.
 */
export function timedQuote(model: MarketModel, symbol: string, atMs: number): TimedQuote {
  const quote = model.quote(symbol, atMs);
  const day = latestOpenedSession(atMs);
  if (day === undefined) throw new InvariantError(`no session opened by ${new Date(atMs).toISOString()}`);
  const { openMs } = day.session;
  const barsDone = Math.min(BARS_PER_SESSION, Math.max(0, Math.floor((atMs - openMs) / FIVE_SECONDS_MS)));
  return { quote, lastTradeSeconds: Math.floor((openMs + barsDone * FIVE_SECONDS_MS) / 1000) };
}
