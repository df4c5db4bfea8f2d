/**
 * Wall time is read through an injected `now` (default `Date.now`, allowed in the simulator); accelerated time
 * is `startMs + speed × wall time elapsed` and never runs backwards even if the wall clock does; a manual clock
 * moves only through `advanceTo`/`advanceBy`.
 */
import type { Clock } from "../../core/clock.js";
import { InvariantError } from "../../core/errors.js";

/** How a {@link SimClock} runs: on the wall clock, `speed` times faster than it from a simulated start, or only when driven. */
export type SimClockOptions =
  | { readonly mode: "real-time"; readonly now?: () => number }
  | {
      readonly mode: "accelerated";
      /** Simulated instant at construction. */
      readonly startMs: number;
      /** Simulated milliseconds per wall millisecond, e.g. 60 for a simulated minute per real second. */
      readonly speed: number;
      readonly now?: () => number;
    }
  | { readonly mode: "manual"; readonly startMs: number };

/** The gateway simulator's time: the wall clock, an accelerated clock, or a manual clock tests drive. */
export class SimClock implements Clock {
  readonly mode: SimClockOptions["mode"];
  /** Simulated milliseconds per wall millisecond (0 for a manual clock, which never moves by itself). */
  readonly speed: number;
  private readonly now: () => number;
  private readonly wallStartMs: number;
  private readonly simStartMs: number;
  private latestMs: number;

  constructor(options: SimClockOptions) {
    this.mode = options.mode;
    this.now = options.mode === "manual" ? () => 0 : (options.now ?? (() => Date.now()));
    this.wallStartMs = this.now();
    switch (options.mode) {
      case "real-time":
        this.speed = 1;
        this.simStartMs = this.wallStartMs;
        break;
      case "accelerated":
        if (!(options.speed > 0 && Number.isFinite(options.speed))) {
          throw new InvariantError(`clock speed ${options.speed} is not a positive finite number`);
        }
        this.speed = options.speed;
        this.simStartMs = options.startMs;
        break;
      case "manual":
        this.speed = 0;
        this.simStartMs = options.startMs;
        break;
    }
    if (!Number.isFinite(this.simStartMs))
      throw new InvariantError(`clock start ${this.simStartMs} is not finite`);
    this.latestMs = this.simStartMs;
  }

  /** The simulated instant, in milliseconds since the Unix epoch (UTC). */
  nowMs(): number {
    switch (this.mode) {
      case "real-time":
        return this.now();
      case "accelerated": {
        const simMs = this.simStartMs + (this.now() - this.wallStartMs) * this.speed;
        this.latestMs = Math.max(this.latestMs, Math.floor(simMs));
        return this.latestMs;
      }
      case "manual":
        return this.latestMs;
    }
  }

  /** Wall milliseconds until `simDelayMs` of simulated time has passed (Infinity for a manual clock). */
  wallDelayMs(simDelayMs: number): number {
    return this.speed === 0 ? Number.POSITIVE_INFINITY : Math.max(0, simDelayMs) / this.speed;
  }

  /** Moves a manual clock to `timeMs`; time never runs backwards. */
  advanceTo(timeMs: number): void {
    if (this.mode !== "manual") throw new InvariantError(`a ${this.mode} clock cannot be advanced by hand`);
    if (!(timeMs >= this.latestMs) || !Number.isFinite(timeMs)) {
      throw new InvariantError(`clock cannot move from ${this.latestMs} to ${timeMs}`);
    }
    this.latestMs = timeMs;
  }

  /** Moves a manual clock forward by `deltaMs` (≥ 0). */
  advanceBy(deltaMs: number): void {
    this.advanceTo(this.latestMs + deltaMs);
  }
}
