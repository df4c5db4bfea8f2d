import { InvariantError } from "./errors.js";
import type { CancelTimer, Scheduler } from "./scheduler.js";

interface PendingTimer {
  readonly dueMs: number;
  readonly sequence: number;
  readonly task: () => void;
  cancelled: boolean;
}

/**
 * Virtual time for tests: time moves only through `advanceBy`/`advanceTo`, which run every timer that falls
 * due on the way, in due-time order (ties in the order they were set), with the clock set to each timer's
 * due time while it runs. Timers set while advancing run too if they fall due before the target.
 */
export class ManualScheduler implements Scheduler {
  private currentMs: number;
  private sequence = 0;
  private timers: PendingTimer[] = [];

  constructor(startMs = 0) {
    this.currentMs = startMs;
  }

  nowMs(): number {
    return this.currentMs;
  }

  setTimer(delayMs: number, task: () => void): CancelTimer {
    const timer: PendingTimer = {
      dueMs: this.currentMs + Math.max(0, delayMs),
      sequence: this.sequence++,
      task,
      cancelled: false,
    };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Timers set and not yet run or cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  /** Due time of the earliest pending timer, if any. */
  nextDueMs(): number | undefined {
    return this.earliest()?.dueMs;
  }

  advanceBy(deltaMs: number): void {
    this.advanceTo(this.currentMs + deltaMs);
  }

  /** Runs every timer due at or before `targetMs`, then leaves the clock at `targetMs`. */
  advanceTo(targetMs: number): void {
    if (targetMs < this.currentMs) {
      throw new InvariantError(`time cannot move backwards from ${this.currentMs} to ${targetMs}`);
    }
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.dueMs > targetMs) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.currentMs = Math.max(this.currentMs, next.dueMs);
      next.task();
    }
    this.currentMs = targetMs;
  }

  /** Runs timers one after another, jumping time forward, until none is left or `maxTimers` have run. */
  runAll(maxTimers = 1_000_000): void {
    for (let ran = 0; ran < maxTimers; ran++) {
      const next = this.earliest();
      if (next === undefined) return;
      this.advanceTo(Math.max(this.currentMs, next.dueMs));
    }
    throw new InvariantError(`more than ${maxTimers} timers ran: a timer keeps re-arming itself`);
  }

  private earliest(): PendingTimer | undefined {
    this.timers = this.timers.filter((timer) => !timer.cancelled);
    let best: PendingTimer | undefined;
    for (const timer of this.timers) {
      if (
        best === undefined ||
        timer.dueMs < best.dueMs ||
        (timer.dueMs === best.dueMs && timer.sequence < best.sequence)
      ) {
        best = timer;
      }
    }
    return best;
  }
}
