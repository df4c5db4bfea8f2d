import type { Clock } from "./clock.js";

/** The wall clock, for the live daemon. */
export class SystemClock implements Clock {
  nowMs(): number {
    return Date.now();
  }
}
