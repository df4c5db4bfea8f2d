import type { Bar } from "../model/bar.js";
import type { Timeframe } from "../model/timeframe.js";
import { BarAggregator } from "./bar-aggregator.js";

/** Lazily aggregates a time-ordered bar stream into `timeframe` (see BarAggregator for the buckets). */
export function* aggregateBars(bars: Iterable<Bar>, timeframe: Timeframe): Generator<Bar> {
  const ready: Bar[] = [];
  const aggregator = new BarAggregator(timeframe, (bar) => ready.push(bar));
  for (const bar of bars) {
    aggregator.push(bar);
    if (ready.length > 0) {
      yield* ready;
      ready.length = 0;
    }
  }
  aggregator.flush();
  yield* ready;
}
