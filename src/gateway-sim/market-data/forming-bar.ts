import { DAY_MS } from "../../data/civil-calendar.js";
import { barSpanOf, type BarSize } from "../market/bar-size.js";
import { FIVE_SECONDS_MS } from "../market/intraday-path.js";
import type { MarketBar, WhatToShow } from "../market/market-bar.js";
import type { MarketModel } from "../market/market-model.js";

/** How far back a bar of each kind can start before the 5-second bar it contains. */
function lookBackMs(barSize: BarSize): number {
  const span = barSpanOf(barSize);
  switch (span.kind) {
    case "seconds":
      return span.seconds * 1000;
    case "day":
      return 2 * DAY_MS;
    case "week":
      return 8 * DAY_MS;
    case "month":
      return 32 * DAY_MS;
  }
}

/**
 * The bar of `barSize` still forming at `atMs` (a 5-second boundary), as keepUpToDate reports it: the bar
 * containing the 5-second bar that has just ended, folded from the 5-second bars ended by `atMs`.
 * Undefined when that 5-second bar lies outside a session, where the model has no trades or quotes.
 */
export function formingBar(
  model: MarketModel,
  symbol: string,
  barSize: BarSize,
  whatToShow: WhatToShow,
  atMs: number,
): MarketBar | undefined {
  const lastFiveSecondStartMs = atMs - FIVE_SECONDS_MS;
  if (model.fiveSecondBar(symbol, lastFiveSecondStartMs, whatToShow) === undefined) return undefined;
  const bars = model.bars(symbol, {
    fromMs: lastFiveSecondStartMs - lookBackMs(barSize) + 1,
    toMs: atMs,
    barSize,
    whatToShow,
  });
  return bars[bars.length - 1];
}
