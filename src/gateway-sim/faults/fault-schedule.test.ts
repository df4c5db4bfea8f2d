import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../server/gateway-sim-logger.js";
import { resolveFaultPlan, type FaultPlan } from "./fault-plan.js";
import { FaultSchedule, type ScheduledFaults } from "./fault-schedule.js";
import type { RestartOptions } from "./gateway-faults.js";

/** Records what the schedule asks for; a restart takes `restartTakesMs` of (fake) wall time. */
class RecordingFaults implements ScheduledFaults {
  readonly calls: string[] = [];
  isRestarting = false;
  restartFails = false;

  constructor(private readonly restartTakesMs: number) {}

  async restart(options: RestartOptions = {}): Promise<void> {
    this.calls.push(`restart ${options.downForMs} ${options.rollBackOrderIdsBy}`);
    this.isRestarting = true;
    await new Promise((resolve) => setTimeout(resolve, this.restartTakesMs));
    this.isRestarting = false;
    if (this.restartFails) throw new Error("port taken");
  }

  setLatencyMs(latencyMs: number): void {
    this.calls.push(`latency ${latencyMs}`);
  }

  forcePacingViolations(count: number): void {
    this.calls.push(`pacing ${count}`);
  }
}

function scheduleOf(faults: ScheduledFaults, plan: FaultPlan): FaultSchedule {
  return new FaultSchedule(faults, resolveFaultPlan(plan), silentLogger);
}

describe("FaultSchedule", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("applies the latency and the pacing violations at start", () => {
    const faults = new RecordingFaults(0);
    scheduleOf(faults, { latencyMs: 40, pacingViolations: 3 }).start();
    expect(faults.calls).toEqual(["latency 40", "pacing 3"]);
  });

  it("restarts once per period, the first time one period after start, and re-arms the pacing violations", async () => {
    const faults = new RecordingFaults(2_000);
    const schedule = scheduleOf(faults, {
      restartEveryMs: 60_000,
      restartDownForMs: 2_000,
      restartRollBackOrderIdsBy: 4,
      pacingViolations: 1,
    });
    schedule.start();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(faults.calls).toEqual(["pacing 1"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(faults.calls).toEqual(["pacing 1", "restart 2000 4"]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(faults.calls).toEqual(["pacing 1", "restart 2000 4", "pacing 1"]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(faults.calls.filter((call) => call.startsWith("restart"))).toHaveLength(2);
    await schedule.stop();
  });

  it("skips a restart while the previous one is still under way", async () => {
    const faults = new RecordingFaults(1_500);
    const schedule = scheduleOf(faults, { restartEveryMs: 1_000, restartDownForMs: 500 });
    schedule.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(faults.calls).toEqual(["restart 500 0"]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(faults.calls).toEqual(["restart 500 0", "restart 500 0"]);
    const stopped = schedule.stop(); // waits for the restart under way
    await vi.advanceTimersByTimeAsync(1_500);
    await stopped;
  });

  it("keeps going after a restart fails", async () => {
    const faults = new RecordingFaults(10);
    faults.restartFails = true;
    const schedule = scheduleOf(faults, { restartEveryMs: 1_000, restartDownForMs: 0 });
    schedule.start();
    await vi.advanceTimersByTimeAsync(2_100);
    expect(faults.calls).toEqual(["restart 0 0", "restart 0 0"]);
    await schedule.stop();
  });

  it("restarts no more once stopped", async () => {
    const faults = new RecordingFaults(0);
    const schedule = scheduleOf(faults, { restartEveryMs: 1_000, restartDownForMs: 0 });
    schedule.start();
    await schedule.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(faults.calls).toEqual([]);
  });
});
