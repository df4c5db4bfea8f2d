import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { SimClock } from "./sim-clock.js";

/** A wall clock the test moves by hand. */
function fakeWall(startMs: number): { now: () => number; move: (deltaMs: number) => void } {
  let wallMs = startMs;
  return {
    now: () => wallMs,
    move: (deltaMs) => {
      wallMs += deltaMs;
    },
  };
}

const SIM_START_MS = Date.UTC(2025, 2, 24, 13, 30);

describe("SimClock", () => {
  it("follows the wall clock in real-time mode", () => {
    const wall = fakeWall(1_000_000);
    const clock = new SimClock({ mode: "real-time", now: wall.now });
    wall.move(2_500);
    expect(clock.nowMs()).toBe(1_002_500);
  });

  it("passes a simulated minute per real second at 60x from the simulated start", () => {
    const wall = fakeWall(5_000);
    const clock = new SimClock({ mode: "accelerated", startMs: SIM_START_MS, speed: 60, now: wall.now });
    expect(clock.nowMs()).toBe(SIM_START_MS);
    wall.move(1_000);
    expect(clock.nowMs()).toBe(SIM_START_MS + 60_000);
  });

  it("never runs an accelerated clock backwards when the wall clock steps back", () => {
    const wall = fakeWall(5_000);
    const clock = new SimClock({ mode: "accelerated", startMs: SIM_START_MS, speed: 60, now: wall.now });
    wall.move(1_000);
    const before = clock.nowMs();
    wall.move(-500);
    expect(clock.nowMs()).toBe(before);
  });

  it("stays put in manual mode until advanced to an instant or by a duration", () => {
    const clock = new SimClock({ mode: "manual", startMs: SIM_START_MS });
    expect(clock.nowMs()).toBe(SIM_START_MS);
    clock.advanceTo(SIM_START_MS + 5_000);
    clock.advanceBy(1_000);
    expect(clock.nowMs()).toBe(SIM_START_MS + 6_000);
  });

  it("refuses to move a manual clock backwards", () => {
    const clock = new SimClock({ mode: "manual", startMs: SIM_START_MS });
    expect(() => {
      clock.advanceTo(SIM_START_MS - 1);
    }).toThrow(InvariantError);
    expect(() => {
      clock.advanceBy(-1);
    }).toThrow(InvariantError);
  });

  it("refuses to advance a clock that runs by itself", () => {
    const clock = new SimClock({ mode: "real-time", now: () => 0 });
    expect(() => {
      clock.advanceBy(1_000);
    }).toThrow(InvariantError);
  });

  it("converts a simulated delay into wall time by its speed", () => {
    const accelerated = new SimClock({ mode: "accelerated", startMs: SIM_START_MS, speed: 60, now: () => 0 });
    expect(accelerated.wallDelayMs(5_000)).toBeCloseTo(83.333, 3);
    expect(new SimClock({ mode: "real-time", now: () => 0 }).wallDelayMs(5_000)).toBe(5_000);
    expect(new SimClock({ mode: "manual", startMs: 0 }).wallDelayMs(5_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it("refuses a speed that is not a positive number", () => {
    expect(() => new SimClock({ mode: "accelerated", startMs: 0, speed: 0, now: () => 0 })).toThrow(
      InvariantError,
    );
  });
});
