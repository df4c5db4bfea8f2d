import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeRange, subtractRanges, type TimeRange } from "./time-ranges.js";

const contains = (ranges: readonly TimeRange[], pointMs: number): boolean =>
  ranges.some((range) => range.fromMs <= pointMs && pointMs < range.toMs);

const aRange = fc
  .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }))
  .map(([a, b]): TimeRange => ({ fromMs: Math.min(a, b), toMs: Math.max(a, b) }));

const mergeAll = (ranges: readonly TimeRange[]): TimeRange[] =>
  ranges.reduce<TimeRange[]>((merged, range) => mergeRange(merged, range), []);

describe("mergeRange", () => {
  it("joins ranges that touch end to start", () => {
    expect(mergeRange([{ fromMs: 0, toMs: 10 }], { fromMs: 10, toMs: 20 })).toEqual([
      { fromMs: 0, toMs: 20 },
    ]);
  });

  it("swallows every range the added one overlaps and keeps the others in order", () => {
    const ranges = [
      { fromMs: 0, toMs: 5 },
      { fromMs: 10, toMs: 15 },
      { fromMs: 20, toMs: 25 },
      { fromMs: 40, toMs: 50 },
    ];
    expect(mergeRange(ranges, { fromMs: 12, toMs: 22 })).toEqual([
      { fromMs: 0, toMs: 5 },
      { fromMs: 10, toMs: 25 },
      { fromMs: 40, toMs: 50 },
    ]);
  });

  it("ignores an empty range", () => {
    expect(mergeRange([{ fromMs: 0, toMs: 5 }], { fromMs: 3, toMs: 3 })).toEqual([{ fromMs: 0, toMs: 5 }]);
  });

  it("keeps a sorted, disjoint, non-adjacent list that covers exactly the union of what was added", () => {
    fc.assert(
      fc.property(fc.array(aRange, { maxLength: 12 }), fc.integer({ min: -1, max: 61 }), (added, pointMs) => {
        const merged = mergeAll(added);
        merged.forEach((range, index) => {
          expect(range.toMs).toBeGreaterThan(range.fromMs);
          const next = merged[index + 1];
          if (next) expect(next.fromMs).toBeGreaterThan(range.toMs);
        });
        expect(contains(merged, pointMs)).toBe(contains(added, pointMs));
      }),
    );
  });
});

describe("subtractRanges", () => {
  it("returns the holes between, before and after covered ranges, clipped to the request", () => {
    const covered = [
      { fromMs: 10, toMs: 20 },
      { fromMs: 30, toMs: 40 },
    ];
    expect(subtractRanges(5, 35, covered)).toEqual([
      { fromMs: 5, toMs: 10 },
      { fromMs: 20, toMs: 30 },
    ]);
    expect(subtractRanges(15, 50, covered)).toEqual([
      { fromMs: 20, toMs: 30 },
      { fromMs: 40, toMs: 50 },
    ]);
  });

  it("returns nothing for a fully covered request and the whole request when nothing is covered", () => {
    expect(subtractRanges(12, 18, [{ fromMs: 10, toMs: 20 }])).toEqual([]);
    expect(subtractRanges(12, 18, [])).toEqual([{ fromMs: 12, toMs: 18 }]);
  });

  it("returns exactly the points of the request that are not covered, as ordered non-empty ranges", () => {
    fc.assert(
      fc.property(
        fc.array(aRange, { maxLength: 8 }),
        aRange,
        fc.integer({ min: -1, max: 61 }),
        (added, request, pointMs) => {
          const covered = mergeAll(added);
          const missing = subtractRanges(request.fromMs, request.toMs, covered);
          missing.forEach((range, index) => {
            expect(range.toMs).toBeGreaterThan(range.fromMs);
            const next = missing[index + 1];
            if (next) expect(next.fromMs).toBeGreaterThan(range.toMs);
          });
          const wanted = request.fromMs <= pointMs && pointMs < request.toMs && !contains(covered, pointMs);
          expect(contains(missing, pointMs)).toBe(wanted);
        },
      ),
    );
  });
});
