import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SimClock } from "./sim-clock.js";
import { SimScheduler } from "./sim-scheduler.js";

const START = Date.UTC(2024, 0, 2, 14, 30);

function manual(): SimScheduler {
  return new SimScheduler(new SimClock({ mode: "manual", startMs: START }));
}

describe("SimScheduler", () => {
  it("runs tasks in time order with the clock set to each task's time", () => {
    const scheduler = manual();
    const seen: [string, number][] = [];
    scheduler.at(START + 3_000, () => seen.push(["c", scheduler.clock.nowMs()]));
    scheduler.at(START + 1_000, () => seen.push(["a", scheduler.clock.nowMs()]));
    scheduler.at(START + 2_000, () => seen.push(["b", scheduler.clock.nowMs()]));
    scheduler.advanceTo(START + 2_500);
    expect(seen).toEqual([
      ["a", START + 1_000],
      ["b", START + 2_000],
    ]);
    expect(scheduler.clock.nowMs()).toBe(START + 2_500);
  });

  it("repeats a task at a fixed interval until cancelled", () => {
    const scheduler = manual();
    const times: number[] = [];
    const cancel = scheduler.every(5_000, START + 5_000, (time) => times.push(time - START));
    scheduler.advanceBy(16_000);
    cancel();
    scheduler.advanceBy(20_000);
    expect(times).toEqual([5_000, 10_000, 15_000]);
  });

  it("does not run a cancelled task", () => {
    const scheduler = manual();
    let ran = false;
    const cancel = scheduler.at(START + 1, () => {
      ran = true;
    });
    cancel();
    scheduler.advanceBy(10);
    expect(ran).toBe(false);
    expect(scheduler.pendingCount).toBe(0);
  });

  it("runs tasks that a task schedules within the same advance", () => {
    const scheduler = manual();
    const seen: number[] = [];
    scheduler.at(START + 10, () => {
      seen.push(1);
      scheduler.at(START + 20, () => seen.push(2));
    });
    scheduler.advanceTo(START + 30);
    expect(seen).toEqual([1, 2]);
  });

  it("runs any set of tasks in non-decreasing time, ties in scheduling order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000 }), { maxLength: 200 }), (offsets) => {
        const scheduler = manual();
        const ran: [number, number][] = [];
        offsets.forEach((offset, index) => scheduler.at(START + offset, () => ran.push([offset, index])));
        scheduler.advanceTo(START + 1_000);
        const expected = offsets
          .map((offset, index) => [offset, index])
          .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
        expect(ran).toEqual(expected);
      }),
      { seed: 42 },
    );
  });

  it("fires on a wall timer scaled by an accelerated clock's speed", async () => {
    let wall = 1_000_000;
    const clock = new SimClock({ mode: "accelerated", startMs: START, speed: 1000, now: () => wall });
    const scheduler = new SimScheduler(clock);
    const fired = new Promise<number>((resolve) =>
      scheduler.at(START + 5_000, () => {
        resolve(clock.nowMs());
      }),
    );
    // 5 simulated seconds at 1000x is 5 wall milliseconds; move the injected wall clock past it.
    wall += 6;
    const firedAt = await fired;
    scheduler.stop();
    expect(firedAt).toBeGreaterThanOrEqual(START + 5_000);
  });

  it("works off a backlog in slices, letting other callbacks run in between", async () => {
    let wall = 1_000_000;
    const clock = new SimClock({ mode: "accelerated", startMs: START, speed: 1000, now: () => wall });
    // Every look at the wall clock for the slice budget costs 1 ms, so a 5 ms slice runs 5 tasks.
    let budgetWall = 0;
    const scheduler = new SimScheduler(clock, undefined, {
      maxSliceMs: 5,
      wallNowMs: () => (budgetWall += 1),
    });
    const ran: number[] = [];
    let interleavedAfter: number | undefined;
    const allDone = new Promise<void>((resolve) => {
      for (let index = 0; index < 20; index++) {
        scheduler.at(START + 1 + index, () => {
          ran.push(index);
          if (index === 0) {
            setImmediate(() => {
              interleavedAfter = ran.length;
            });
          }
          if (index === 19) resolve();
        });
      }
    });
    wall += 1_000; // a second of simulated time is due at once
    await allDone;
    scheduler.stop();
    expect(ran).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(interleavedAfter).toBe(5);
  });
});
