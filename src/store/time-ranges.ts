/** A half-open span of time [fromMs, toMs), epoch milliseconds UTC; empty when toMs ≤ fromMs. */
export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Merges `added` into `ranges` (sorted, disjoint, non-adjacent): every range that overlaps or touches it
 * becomes one. Returns a new sorted list; an empty `added` leaves the list as it was.
 */
export function mergeRange(ranges: readonly TimeRange[], added: TimeRange): TimeRange[] {
  if (added.toMs <= added.fromMs) return [...ranges];
  const before: TimeRange[] = [];
  const after: TimeRange[] = [];
  let fromMs = added.fromMs;
  let toMs = added.toMs;
  for (const range of ranges) {
    if (range.toMs < added.fromMs) before.push(range);
    else if (range.fromMs > added.toMs) after.push(range);
    else {
      fromMs = Math.min(fromMs, range.fromMs);
      toMs = Math.max(toMs, range.toMs);
    }
  }
  return [...before, { fromMs, toMs }, ...after];
}

/** The parts of [fromMs, toMs) that no range in `covered` (sorted by fromMs) contains, in order. */
export function subtractRanges(fromMs: number, toMs: number, covered: readonly TimeRange[]): TimeRange[] {
  const missing: TimeRange[] = [];
  let cursorMs = fromMs;
  for (const range of covered) {
    if (cursorMs >= toMs) break;
    if (range.toMs <= cursorMs) continue;
    if (range.fromMs > cursorMs) missing.push({ fromMs: cursorMs, toMs: Math.min(range.fromMs, toMs) });
    cursorMs = Math.max(cursorMs, range.toMs);
  }
  if (cursorMs < toMs) missing.push({ fromMs: cursorMs, toMs });
  return missing;
}
