import type { EquityCurveArrays } from "./equity-curve-arrays.js";

/** The deepest peak-to-trough fall of an equity curve. */
export interface MaxDrawdown {
  /** Fall as a positive fraction of the peak (0.25 = 25%); 0 when equity never fell below a positive peak. */
  readonly fraction: number;
  /** Time of the peak the deepest fall started from; undefined when there was no fall. */
  readonly peakTime: number | undefined;
  /** Time of the trough the deepest fall reached; undefined when there was no fall. */
  readonly troughTime: number | undefined;
}

/** Finds the maximum drawdown in one pass over the curve without allocating per point. */
export function computeMaxDrawdown(curve: EquityCurveArrays): MaxDrawdown {
  const { timesMs, equity } = curve;
  let peak = -Infinity;
  let peakIndex = -1;
  let deepest = 0;
  let deepestPeakIndex = -1;
  let deepestTroughIndex = -1;
  for (let i = 0; i < equity.length; i++) {
    const value = equity[i] ?? Number.NaN;
    if (value > peak) {
      peak = value;
      peakIndex = i;
    } else if (peak > 0) {
      const fall = (peak - value) / peak;
      if (fall > deepest) {
        deepest = fall;
        deepestPeakIndex = peakIndex;
        deepestTroughIndex = i;
      }
    }
  }
  if (deepestTroughIndex < 0) return { fraction: 0, peakTime: undefined, troughTime: undefined };
  return {
    fraction: deepest,
    peakTime: timesMs[deepestPeakIndex],
    troughTime: timesMs[deepestTroughIndex],
  };
}
