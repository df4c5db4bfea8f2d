/** One frame waiting for its send time. */
interface PendingFrame {
  readonly frame: Buffer;
  readonly dueMs: number;
}

/**
 * Holds a connection's outgoing frames back by a latency while keeping their order: each frame is due
 * `delayMs` of wall time after it was queued, but never before a frame queued earlier, so lowering the
 * latency cannot overtake what is already in flight. With no latency and nothing queued a frame is written
 * at once. The queue never sends a frame early: a timer that fires before the due time (Node's timers
 * round to whole milliseconds) is re-armed.
 */
export class LatencyQueue {
  private pending: PendingFrame[] = [];
  private head = 0;
  private lastDueMs = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (frame: Buffer) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Number of frames still held back. */
  get size(): number {
    return this.pending.length - this.head;
  }

  /** Sends `frame` after `delayMs` milliseconds of wall time, behind every frame queued before it. */
  push(frame: Buffer, delayMs: number): void {
    if (!(delayMs > 0) && this.size === 0) {
      this.write(frame);
      return;
    }
    const dueMs = Math.max(this.now() + Math.max(0, delayMs), this.lastDueMs);
    this.lastDueMs = dueMs;
    this.pending.push({ frame, dueMs });
    this.arm();
  }

  /** Writes every held frame now, in order (before a connection's last frame). */
  flush(): void {
    this.cancelTimer();
    const frames = this.take(Number.POSITIVE_INFINITY);
    for (const frame of frames) this.write(frame);
  }

  /** Drops every held frame (the connection is gone). */
  clear(): void {
    this.cancelTimer();
    this.pending = [];
    this.head = 0;
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    const next = this.pending[this.head];
    if (next === undefined) return;
    const waitMs = Math.max(1, Math.ceil(next.dueMs - this.now()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const frames = this.take(this.now());
      for (const frame of frames) this.write(frame);
      this.arm();
    }, waitMs);
  }

  /** Removes and returns the frames due at or before `nowMs`. */
  private take(nowMs: number): Buffer[] {
    const frames: Buffer[] = [];
    for (;;) {
      const next = this.pending[this.head];
      if (next === undefined || next.dueMs > nowMs) break;
      frames.push(next.frame);
      this.head += 1;
    }
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    return frames;
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
