/** Evenly spaced axis ticks on round numbers (1, 2 or 5 × 10ⁿ) that cover [min, max]. */
export interface NiceTicks {
  readonly values: readonly number[];
  readonly step: number;
}

/** Picks about `target` round-numbered ticks whose first is <= min and last is >= max (min < max required). */
export function niceTicks(min: number, max: number, target: number): NiceTicks {
  const rough = (max - min) / Math.max(1, target);
  const magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
  const normalized = rough / magnitude;
  const multiple = normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10;
  const step = multiple * magnitude;
  const first = Math.floor(min / step);
  const last = Math.ceil(max / step);
  const values: number[] = [];
  for (let i = first; i <= last; i++) values.push(Number((i * step).toPrecision(12)));
  return { values, step };
}

/** Decimals needed to print ticks `step` apart without losing their difference. */
export function tickDecimals(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}
