import type { Bar } from "../model/bar.js";

interface Head {
  readonly iterator: Iterator<Bar>;
  bar: Bar;
}

function before(a: Bar, b: Bar): boolean {
  return a.closeTime < b.closeTime || (a.closeTime === b.closeTime && a.symbol < b.symbol);
}

/**
 * Merges time-ordered bar streams (one per symbol) into one stream ordered by close time, then symbol,
 * pulling lazily so no stream is held in memory.
 */
export function* mergeBarStreams(streams: readonly Iterable<Bar>[]): Generator<Bar> {
  if (streams.length === 1 && streams[0] !== undefined) {
    yield* streams[0];
    return;
  }
  const heads: Head[] = [];
  for (const stream of streams) {
    const iterator = stream[Symbol.iterator]();
    const first = iterator.next();
    if (first.done !== true) heads.push({ iterator, bar: first.value });
  }
  while (heads.length > 0) {
    let best = 0;
    for (let index = 1; index < heads.length; index++) {
      const head = heads[index];
      const current = heads[best];
      if (head !== undefined && current !== undefined && before(head.bar, current.bar)) best = index;
    }
    const head = heads[best];
    if (head === undefined) return;
    yield head.bar;
    const next = head.iterator.next();
    if (next.done === true) heads.splice(best, 1);
    else head.bar = next.value;
  }
}
