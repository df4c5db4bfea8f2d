import { InvariantError } from "../core/errors.js";

/** A series reduced for plotting: parallel arrays of times and values. */
export interface DownsampledSeries {
  readonly timesMs: Float64Array;
  readonly values: Float64Array;
}

/**
 * Reduces a series to at most `maxPoints` points for plotting: keeps the first and last point and, in each of
 * (maxPoints − 2) / 2 equal index buckets between them, the minimum and maximum in time order, so peaks and
 * troughs (and therefore drawdowns) stay visible.
 */
export function downsampleMinMax(
  timesMs: Float64Array,
  values: Float64Array,
  maxPoints: number,
): DownsampledSeries {
  if (timesMs.length !== values.length) {
    throw new InvariantError(`cannot downsample ${timesMs.length} times with ${values.length} values`);
  }
  if (!Number.isInteger(maxPoints) || maxPoints < 4) {
    throw new InvariantError(`downsampling needs maxPoints >= 4, got ${maxPoints}`);
  }
  const length = values.length;
  if (length <= maxPoints) return { timesMs: timesMs.slice(), values: values.slice() };

  const bucketCount = Math.floor((maxPoints - 2) / 2);
  const interiorStart = 1;
  const interiorLength = length - 2;
  const outTimes = new Float64Array(maxPoints);
  const outValues = new Float64Array(maxPoints);
  let size = 0;
  const keep = (index: number): void => {
    outTimes[size] = timesMs[index] ?? Number.NaN;
    outValues[size] = values[index] ?? Number.NaN;
    size += 1;
  };

  keep(0);
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    const from = interiorStart + Math.floor((bucket * interiorLength) / bucketCount);
    const to = interiorStart + Math.floor(((bucket + 1) * interiorLength) / bucketCount);
    if (to <= from) continue;
    let minIndex = from;
    let maxIndex = from;
    let min = values[from] ?? Number.NaN;
    let max = min;
    for (let i = from + 1; i < to; i++) {
      const value = values[i] ?? Number.NaN;
      if (value < min) {
        min = value;
        minIndex = i;
      } else if (value > max) {
        max = value;
        maxIndex = i;
      }
    }
    if (minIndex === maxIndex) {
      keep(minIndex);
    } else {
      keep(Math.min(minIndex, maxIndex));
      keep(Math.max(minIndex, maxIndex));
    }
  }
  keep(length - 1);
  return { timesMs: outTimes.slice(0, size), values: outValues.slice(0, size) };
}
