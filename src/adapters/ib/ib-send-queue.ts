import type { CancelTimer, Scheduler } from "../../core/scheduler.js";

/** How the queue writes and how fast. */
export interface IbSendQueueOptions {
  /** Writes one encoded message to the socket. */
  readonly write: (message: unknown) => void;
  /** Messages per second at most; spread as a tenth of it per 100 ms (IB allows 50 per second, ibkr-facts.md §3.2). */
  readonly maxPerSecond: number;
  /** Wall-clock timers: the rate is the network's, whatever clock the daemon trades on. */
  readonly scheduler: Scheduler;
}

const SLOT_MS = 100;

/**
 * The outgoing message queue under @stoqey/ib's encoder, in place of the library's own rate limiter, which
 * keeps its backlog across a disconnect and writes it on the next connection (ibkr-facts.md §6.18): there,
 * requests of a dead session (real-time bars, market data) are opened again at the gateway under ids
 * nobody routes or cancels, and each holds a market data line until the next disconnect. Here the backlog
 * is dropped when the session ends (`clear`), its depth is visible, and a caller can learn when its
 * message has actually left (`afterWritten`) — a request still waiting here has not been made yet.
 */
export class IbSendQueue {
  private readonly write: (message: unknown) => void;
  private readonly perSlot: number;
  private readonly scheduler: Scheduler;
  private readonly backlog: unknown[] = [];
  /** Times of the latest writes, at most perSlot of them: the window the next write must fit in. */
  private readonly recentWrites: number[] = [];
  private readonly waiting: { readonly sequence: number; readonly callback: () => void }[] = [];
  private cancelTimer: CancelTimer | undefined;
  private enqueuedCount = 0;
  private writtenCount = 0;
  private droppedCount = 0;

  constructor(options: IbSendQueueOptions) {
    if (!(options.maxPerSecond > 0)) {
      throw new RangeError(`maxPerSecond must be positive, got ${options.maxPerSecond}`);
    }
    this.write = options.write;
    this.perSlot = Math.max(1, Math.floor(options.maxPerSecond / (1000 / SLOT_MS)));
    this.scheduler = options.scheduler;
  }

  /** Messages waiting to be written. */
  get depth(): number {
    return this.backlog.length;
  }

  /** Messages written since the queue was made. */
  get written(): number {
    return this.writtenCount;
  }

  /** Messages dropped by clear() since the queue was made. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Queues one message; it is written at once when the rate allows and nothing waits before it. */
  push(message: unknown): void {
    this.enqueuedCount++;
    this.backlog.push(message);
    this.drain();
  }

  /**
   * Calls `callback` once every message queued so far has been written (at once when they all have). It is
   * never called if clear() drops one of them first: that request was never made.
   */
  afterWritten(callback: () => void): void {
    if (this.doneCount() >= this.enqueuedCount) {
      callback();
      return;
    }
    this.waiting.push({ sequence: this.enqueuedCount, callback });
  }

  /** Drops every message not yet written (and what waits on them); returns how many were dropped. */
  clear(): number {
    const count = this.backlog.length;
    this.backlog.length = 0;
    // The dropped messages count as done for sequencing, but nobody who waited on them is told.
    this.droppedCount += count;
    this.waiting.length = 0;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    return count;
  }

  private drain(): void {
    if (this.cancelTimer !== undefined) return;
    while (this.backlog.length > 0) {
      const nowMs = this.scheduler.nowMs();
      while (this.recentWrites.length > 0 && nowMs - (this.recentWrites[0] ?? nowMs) >= SLOT_MS) {
        this.recentWrites.shift();
      }
      if (this.recentWrites.length >= this.perSlot) {
        const oldest = this.recentWrites[0] ?? nowMs;
        this.cancelTimer = this.scheduler.setTimer(Math.max(1, oldest + SLOT_MS - nowMs), () => {
          this.cancelTimer = undefined;
          this.drain();
        });
        return;
      }
      const message = this.backlog.shift();
      this.recentWrites.push(nowMs);
      this.writtenCount++;
      this.write(message);
      this.notify();
    }
  }

  /** Messages written or dropped: the sequence afterWritten waits on. */
  private doneCount(): number {
    return this.writtenCount + this.droppedCount;
  }

  private notify(): void {
    const done = this.doneCount();
    while (this.waiting.length > 0 && (this.waiting[0]?.sequence ?? Infinity) <= done) {
      this.waiting.shift()?.callback();
    }
  }
}
