import type { Clock } from "./clock.js";

/**
 * Makes ids from the clock and a counter (`<prefix>-<ms base36>-<counter>`): unique within a process,
 * ordered by time, and deterministic in a backtest driven by a ManualClock.
 */
export class IdGenerator {
  private counter = 0;

  constructor(
    private readonly clock: Clock,
    private readonly prefix: string,
  ) {}

  next(): string {
    this.counter += 1;
    return `${this.prefix}-${this.clock.nowMs().toString(36)}-${this.counter}`;
  }
}
