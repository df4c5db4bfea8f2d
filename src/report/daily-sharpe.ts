import type { EquityCurveArrays } from "./equity-curve-arrays.js";

const DAY_MS = 86_400_000;
const TRADING_DAYS_PER_YEAR = 252;
const RELATIVE_NOISE = 1e-12;

/**
 * Annualized Sharpe ratio (risk-free 0) of the daily returns between the last points of consecutive UTC
 * calendar days: mean / sample stdev × √252; undefined with fewer than 2 returns, zero variance or a
 * non-positive day close.
 */
export function computeDailySharpe(curve: EquityCurveArrays): number | undefined {
  const { timesMs, equity } = curve;
  let currentDay = Number.NaN;
  let dayClose = Number.NaN;
  let previousClose = Number.NaN;
  let count = 0;
  let mean = 0;
  let sumSquaredDeviations = 0;
  let valid = true;

  // Each day's close is folded in when the next day starts, and the last day's after the loop (i === length).
  for (let i = 0; i <= equity.length; i++) {
    const isEnd = i === equity.length;
    const day = isEnd ? Number.NaN : Math.floor((timesMs[i] ?? Number.NaN) / DAY_MS);
    if (day !== currentDay && !Number.isNaN(currentDay)) {
      if (!Number.isNaN(previousClose)) {
        if (previousClose <= 0) {
          valid = false;
          break;
        }
        const dailyReturn = dayClose / previousClose - 1;
        count += 1;
        const delta = dailyReturn - mean;
        mean += delta / count;
        sumSquaredDeviations += delta * (dailyReturn - mean);
      }
      previousClose = dayClose;
    }
    if (isEnd) break;
    currentDay = day;
    dayClose = equity[i] ?? Number.NaN;
  }

  if (!valid || count < 2) return undefined;
  const standardDeviation = Math.sqrt(sumSquaredDeviations / (count - 1));
  // Returns equal up to float noise count as zero variance rather than as an enormous ratio.
  if (!(standardDeviation > Math.abs(mean) * RELATIVE_NOISE) || !Number.isFinite(standardDeviation)) {
    return undefined;
  }
  return (mean / standardDeviation) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}
