import { InvariantError } from "../core/errors.js";

/** Trimmed views of a recorded curve, shaped like the report's equity-curve input. */
export interface EquityCurveArrays {
  /** UTC epoch milliseconds, non-decreasing. */
  readonly timesMs: Float64Array;
  readonly equity: Float64Array;
}

const DEFAULT_CAPACITY = 1024;

/**
 * Records (time, equity) points into growable Float64Arrays: allocation-free per point except when the
 * capacity doubles. A point at the same time as the last one replaces it; time never runs backwards.
 */
export class EquityCurve {
  private times: Float64Array;
  private values: Float64Array;
  private count = 0;
  private lastTimeMs = -Infinity;

  constructor(initialCapacity = DEFAULT_CAPACITY) {
    if (!Number.isSafeInteger(initialCapacity) || initialCapacity < 1) {
      throw new InvariantError(`equity curve capacity ${initialCapacity} is not a positive whole number`);
    }
    this.times = new Float64Array(initialCapacity);
    this.values = new Float64Array(initialCapacity);
  }

  /** Number of recorded points. */
  get length(): number {
    return this.count;
  }

  /** Appends a point, or overwrites the last one when `timeMs` equals its time. */
  record(timeMs: number, equity: number): void {
    if (!Number.isFinite(equity)) {
      throw new InvariantError(`equity ${equity} at ${timeMs} is not finite`);
    }
    if (timeMs === this.lastTimeMs) {
      this.values[this.count - 1] = equity;
      return;
    }
    if (!(timeMs > this.lastTimeMs) || !Number.isFinite(timeMs)) {
      throw new InvariantError(
        `equity curve time ${timeMs} is not finite or goes back before ${this.lastTimeMs}`,
      );
    }
    if (this.count === this.times.length) this.grow();
    this.times[this.count] = timeMs;
    this.values[this.count] = equity;
    this.count += 1;
    this.lastTimeMs = timeMs;
  }

  /** Time (epoch ms) of point `index`. */
  timeAt(index: number): number {
    return this.times[this.checkedIndex(index)] ?? Number.NaN;
  }

  /** Equity of point `index`. */
  equityAt(index: number): number {
    return this.values[this.checkedIndex(index)] ?? Number.NaN;
  }

  /** The recorded points as trimmed subarrays: views of the live storage, not copies (copy to keep them). */
  toArrays(): EquityCurveArrays {
    return {
      timesMs: this.times.subarray(0, this.count),
      equity: this.values.subarray(0, this.count),
    };
  }

  private checkedIndex(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new InvariantError(`equity curve index ${index} is out of range 0..${this.count - 1}`);
    }
    return index;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const values = new Float64Array(capacity);
    times.set(this.times);
    values.set(this.values);
    this.times = times;
    this.values = values;
  }
}
