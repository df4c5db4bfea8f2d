import { describe, expect, it } from "vitest";
import { ManualScheduler } from "./manual-scheduler.js";

describe("ManualScheduler", () => {
  it("runs timers in due order with the clock at each due time", () => {
    const scheduler = new ManualScheduler(1_000);
    const seen: string[] = [];
    scheduler.setTimer(300, () => seen.push(`b@${scheduler.nowMs()}`));
    scheduler.setTimer(100, () => seen.push(`a@${scheduler.nowMs()}`));
    scheduler.setTimer(300, () => seen.push(`c@${scheduler.nowMs()}`));
    scheduler.advanceBy(250);
    expect(seen).toEqual(["a@1100"]);
    expect(scheduler.nowMs()).toBe(1_250);
    scheduler.advanceBy(50);
    expect(seen).toEqual(["a@1100", "b@1300", "c@1300"]);
  });

  it("runs timers set while advancing when they fall due before the target", () => {
    const scheduler = new ManualScheduler();
    const seen: number[] = [];
    scheduler.setTimer(10, () => {
      seen.push(scheduler.nowMs());
      scheduler.setTimer(10, () => seen.push(scheduler.nowMs()));
    });
    scheduler.advanceTo(25);
    expect(seen).toEqual([10, 20]);
  });

  it("never runs a cancelled timer", () => {
    const scheduler = new ManualScheduler();
    let ran = false;
    const cancel = scheduler.setTimer(5, () => (ran = true));
    cancel();
    scheduler.advanceBy(10);
    expect(ran).toBe(false);
    expect(scheduler.pendingTimers).toBe(0);
  });

  it("refuses to move backwards and stops a timer that re-arms forever", () => {
    const scheduler = new ManualScheduler(100);
    expect(() => {
      scheduler.advanceTo(50);
    }).toThrow(/backwards/);
    const rearm = (): void => {
      scheduler.setTimer(1, rearm);
    };
    rearm();
    expect(() => {
      scheduler.runAll(100);
    }).toThrow(/re-arming/);
  });
});
