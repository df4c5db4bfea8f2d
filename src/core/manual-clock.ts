import type { Clock } from "./clock.js";
import { InvariantError } from "./errors.js";

/** A clock that only moves when told to: backtests and tests set it to each bar's close. */
export class ManualClock implements Clock {
  private currentMs: number;

  constructor(startMs = 0) {
    this.currentMs = startMs;
  }

  nowMs(): number {
    return this.currentMs;
  }

  /** Moves the clock to `timeMs`; time never runs backwards. */
  setMs(timeMs: number): void {
    if (timeMs < this.currentMs) {
      throw new InvariantError(`clock cannot move backwards from ${this.currentMs} to ${timeMs}`);
    }
    this.currentMs = timeMs;
  }

  advanceMs(deltaMs: number): void {
    this.setMs(this.currentMs + deltaMs);
  }
}
