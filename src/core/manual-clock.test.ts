import { describe, expect, it } from "vitest";
import { InvariantError } from "./errors.js";
import { ManualClock } from "./manual-clock.js";

describe("ManualClock", () => {
  it("moves only when told to", () => {
    const clock = new ManualClock(1_000);
    clock.advanceMs(500);
    expect(clock.nowMs()).toBe(1_500);
  });

  it("refuses to run backwards", () => {
    const clock = new ManualClock(1_000);
    expect(() => {
      clock.setMs(999);
    }).toThrow(InvariantError);
  });
});
