import { InvariantError } from "../core/errors.js";

/** Account equity sampled at each bar close: parallel arrays of UTC epoch milliseconds and equity values. */
export interface EquityCurveArrays {
  readonly timesMs: Float64Array;
  readonly equity: Float64Array;
}

/** Throws an InvariantError unless both arrays have the same length, times never decrease and values are finite. */
export function assertEquityCurve(curve: EquityCurveArrays): void {
  const { timesMs, equity } = curve;
  if (timesMs.length !== equity.length) {
    throw new InvariantError(
      `equity curve has ${timesMs.length} times but ${equity.length} equity values; they must match`,
    );
  }
  let previousTime = -Infinity;
  for (let i = 0; i < timesMs.length; i++) {
    const time = timesMs[i] ?? Number.NaN;
    const value = equity[i] ?? Number.NaN;
    if (!Number.isFinite(time) || time < previousTime) {
      throw new InvariantError(`equity curve time at index ${i} (${time}) is not finite or goes backwards`);
    }
    if (!Number.isFinite(value)) {
      throw new InvariantError(`equity curve value at index ${i} (${value}) is not finite`);
    }
    previousTime = time;
  }
}
