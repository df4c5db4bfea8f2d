import type { CancelTimer, Scheduler } from "./scheduler.js";

/** Wall-clock time and Node timers, for the daemon against a real TWS / IB Gateway. */
export class SystemScheduler implements Scheduler {
  nowMs(): number {
    return Date.now();
  }

  setTimer(delayMs: number, task: () => void): CancelTimer {
    const handle = setTimeout(task, Math.max(0, delayMs));
    return () => {
      clearTimeout(handle);
    };
  }
}

/**
 * Time that runs `speed` times faster than the wall clock, read from `clock` (for instance an accelerated
 * gateway simulator's): a delay of `d` ms of its time waits `d / speed` wall milliseconds.
 */
export class ScaledScheduler implements Scheduler {
  constructor(
    private readonly clock: { nowMs(): number },
    private readonly speed: number,
  ) {}

  nowMs(): number {
    return this.clock.nowMs();
  }

  setTimer(delayMs: number, task: () => void): CancelTimer {
    const handle = setTimeout(task, Math.max(0, delayMs) / this.speed);
    return () => {
      clearTimeout(handle);
    };
  }
}
