import { InvariantError } from "../../core/errors.js";
import type { SimClock } from "./sim-clock.js";

interface Task {
  readonly timeMs: number;
  readonly sequence: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** Cancels a scheduled callback; calling it twice is harmless. */
export type CancelTask = () => void;

/** How a wall-clock scheduler shares the event loop. */
export interface SimSchedulerOptions {
  /**
   * Most wall milliseconds one run of due tasks may take before it lets I/O in and carries on in the next
   * turn; default 20.
   */
  readonly maxSliceMs?: number;
  /** Wall time for the slice budget; default performance.now. */
  readonly wallNowMs?: () => number;
}

const DEFAULT_MAX_SLICE_MS = 20;

/**
 * Runs callbacks at simulated times. With a manual clock they run when a test calls `advanceTo`, in
 * time order with the clock set to each one's time; with a real-time or accelerated clock one wall
 * timer, scaled by the clock's speed, waits for the earliest task. A clock running faster than the tasks
 * can keep up with leaves a backlog; it is worked off in slices of at most `maxSliceMs` with the event loop
 * free in between, so sockets still flush and the process still answers (the simulator then lags behind
 * its clock instead of starving everything else).
 */
export class SimScheduler {
  private readonly heap: Task[] = [];
  private sequence = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDueMs = Number.POSITIVE_INFINITY;
  private continuation: NodeJS.Immediate | undefined;
  private stopped = false;
  private readonly maxSliceMs: number;
  private readonly wallNowMs: () => number;

  constructor(
    readonly clock: SimClock,
    private readonly onError: (error: unknown) => void = (error) => {
      throw error;
    },
    options: SimSchedulerOptions = {},
  ) {
    this.maxSliceMs = options.maxSliceMs ?? DEFAULT_MAX_SLICE_MS;
    if (!(this.maxSliceMs > 0)) throw new InvariantError(`slice of ${this.maxSliceMs} ms must be positive`);
    this.wallNowMs = options.wallNowMs ?? (() => performance.now());
  }

  /** Runs `callback` once at simulated time `timeMs` (at once, on the next turn, if that time has passed). */
  at(timeMs: number, callback: () => void): CancelTask {
    if (!Number.isFinite(timeMs)) throw new InvariantError(`cannot schedule at ${timeMs}`);
    const task: Task = { timeMs, sequence: this.sequence++, run: callback, cancelled: false };
    this.push(task);
    this.arm();
    return () => {
      task.cancelled = true;
    };
  }

  /** Runs `callback(timeMs)` every `intervalMs` of simulated time, the first time at `firstMs`. */
  every(intervalMs: number, firstMs: number, callback: (timeMs: number) => void): CancelTask {
    if (!(intervalMs > 0)) throw new InvariantError(`interval ${intervalMs} must be positive`);
    let cancelCurrent: CancelTask = () => undefined;
    let cancelled = false;
    const schedule = (timeMs: number): void => {
      cancelCurrent = this.at(timeMs, () => {
        if (cancelled) return;
        schedule(timeMs + intervalMs);
        callback(timeMs);
      });
    };
    schedule(firstMs);
    return () => {
      cancelled = true;
      cancelCurrent();
    };
  }

  /** Manual clocks only: moves time to `timeMs`, running every task due on the way in time order. */
  advanceTo(timeMs: number): void {
    if (this.clock.mode !== "manual") throw new InvariantError("only a manual clock is advanced by hand");
    for (;;) {
      const next = this.heap[0];
      if (next === undefined || next.timeMs > timeMs) break;
      this.pop();
      if (next.cancelled) continue;
      if (next.timeMs > this.clock.nowMs()) this.clock.advanceTo(next.timeMs);
      this.runTask(next);
    }
    if (timeMs > this.clock.nowMs()) this.clock.advanceTo(timeMs);
  }

  /** Manual clocks only: advances by `deltaMs`. */
  advanceBy(deltaMs: number): void {
    this.advanceTo(this.clock.nowMs() + deltaMs);
  }

  /** Number of tasks still waiting (cancelled ones excluded). */
  get pendingCount(): number {
    return this.heap.filter((task) => !task.cancelled).length;
  }

  /** Cancels everything and stops the wall timer. */
  stop(): void {
    this.stopped = true;
    for (const task of this.heap) task.cancelled = true;
    this.heap.length = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.continuation !== undefined) clearImmediate(this.continuation);
    this.continuation = undefined;
  }

  private runTask(task: Task): void {
    try {
      task.run();
    } catch (error) {
      this.onError(error);
    }
  }

  private arm(): void {
    if (this.clock.mode === "manual" || this.stopped) return;
    const next = this.heap[0];
    if (next === undefined) return;
    if (this.timer !== undefined && this.timerDueMs <= next.timeMs) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDueMs = next.timeMs;
    const delay = Math.min(this.clock.wallDelayMs(next.timeMs - this.clock.nowMs()), 2_147_483_647);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDueMs = Number.POSITIVE_INFINITY;
      this.runDue();
    }, delay);
  }

  private runDue(): void {
    const now = this.clock.nowMs();
    const sliceEndMs = this.wallNowMs() + this.maxSliceMs;
    for (;;) {
      const next = this.heap[0];
      if (next === undefined || next.timeMs > now) break;
      this.pop();
      if (!next.cancelled) this.runTask(next);
      if (this.wallNowMs() >= sliceEndMs && !this.stopped) {
        // Behind the clock: let I/O in, then carry on with whatever is due by then.
        this.continuation ??= setImmediate(() => {
          this.continuation = undefined;
          this.runDue();
        });
        return;
      }
    }
    this.arm();
  }

  private push(task: Task): void {
    const heap = this.heap;
    heap.push(task);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTask = heap[parent];
      if (parentTask === undefined || !earlier(task, parentTask)) break;
      heap[index] = parentTask;
      heap[parent] = task;
      index = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      const leftTask = heap[left];
      const rightTask = heap[right];
      const smallestTask = (): Task | undefined => heap[smallest];
      if (leftTask !== undefined && earlier(leftTask, smallestTask() ?? leftTask)) smallest = left;
      if (rightTask !== undefined && earlier(rightTask, smallestTask() ?? rightTask)) smallest = right;
      if (smallest === index) return;
      const current = heap[index];
      const swap = heap[smallest];
      if (current === undefined || swap === undefined) return;
      heap[index] = swap;
      heap[smallest] = current;
      index = smallest;
    }
  }
}

function earlier(a: Task, b: Task): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.sequence < b.sequence);
}
