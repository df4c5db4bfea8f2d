import type { Clock } from "./clock.js";

/** Cancels a pending timer; calling it after the timer ran, or twice, does nothing. */
export type CancelTimer = () => void;

/**
 * A clock that can also run a task later, in its own time: the wall clock in the daemon, a scaled clock
 * against an accelerated gateway simulator, virtual time in tests (`ManualScheduler`). Pacing, heartbeats,
 * watchdogs and reconnect backoff take one of these instead of calling `setTimeout`.
 */
export interface Scheduler extends Clock {
  /**
   * Runs `task` once `delayMs` of this scheduler's time has passed (a delay of 0 or less runs it as soon as
   * possible, but never synchronously inside this call).
   */
  setTimer(delayMs: number, task: () => void): CancelTimer;
}
