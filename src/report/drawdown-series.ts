import type { EquityCurveArrays } from "./equity-curve-arrays.js";

/** The drawdown at every point of the curve, as a positive fraction below the running peak (0 at a new high). */
export function drawdownSeries(curve: EquityCurveArrays): Float64Array {
  const { equity } = curve;
  const drawdowns = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    const value = equity[i] ?? Number.NaN;
    if (value > peak) peak = value;
    drawdowns[i] = peak > 0 ? (peak - value) / peak : 0;
  }
  return drawdowns;
}
