import { describe, expect, it } from "vitest";
import { downsampleMinMax } from "./downsample-min-max.js";

describe("downsampleMinMax", () => {
  it("caps a million-point series at the requested number of points", () => {
    const length = 1_000_000;
    const times = new Float64Array(length).map((_, i) => i * 60_000);
    const values = new Float64Array(length).map((_, i) => 100 + Math.sin(i / 5000) * 10);

    const result = downsampleMinMax(times, values, 2000);

    expect(result.values.length).toBeLessThanOrEqual(2000);
    expect(result.values.length).toBeGreaterThan(1900);
    expect(result.timesMs.length).toBe(result.values.length);
  });

  it("keeps the first and last points and the global minimum and maximum", () => {
    const length = 100_000;
    const times = new Float64Array(length).map((_, i) => i);
    const values = new Float64Array(length).fill(100);
    values[31_337] = 5; // a one-point crash must survive
    values[77_777] = 500;
    values[length - 1] = 42;

    const result = downsampleMinMax(times, values, 100);

    expect(result.timesMs[0]).toBe(0);
    expect(result.timesMs.at(-1)).toBe(length - 1);
    expect(result.values.at(-1)).toBe(42);
    expect(Array.from(result.timesMs)).toEqual(expect.arrayContaining([31_337, 77_777]));
    expect(Math.min(...result.values)).toBe(5);
    expect(Math.max(...result.values)).toBe(500);
  });

  it("keeps points in time order", () => {
    const length = 10_000;
    const times = new Float64Array(length).map((_, i) => i);
    const values = new Float64Array(length).map((_, i) => (i * 7919) % 101);

    const result = downsampleMinMax(times, values, 50);

    for (let i = 1; i < result.timesMs.length; i++) {
      expect(result.timesMs[i]!).toBeGreaterThan(result.timesMs[i - 1]!);
    }
  });

  it("returns a copy of a series that is already small enough", () => {
    const times = Float64Array.from([1, 2, 3]);
    const values = Float64Array.from([10, 20, 30]);

    const result = downsampleMinMax(times, values, 2000);

    expect(Array.from(result.values)).toEqual([10, 20, 30]);
    expect(result.values).not.toBe(values);
  });
});
