/** Length of the order-rate window: RISK_MAX_ORDERS_PER_MINUTE counts orders in any 60 seconds. */
export const ORDER_RATE_WINDOW_MS = 60_000;

/**
 * The times orders were sent within the last minute of clock time: an order sent at `t` counts until
 * `t + 60 s` (exclusive), so the window slides rather than resetting on minute boundaries.
 */
export class OrderRateWindow {
  private sentAtMs: number[] = [];

  /** Remembers an order sent at `atMs`. */
  record(atMs: number): void {
    this.prune(atMs);
    this.sentAtMs.push(atMs);
  }

  /** Orders sent in the minute ending at `nowMs`, i.e. at times after `nowMs − 60 s`. */
  countAt(nowMs: number): number {
    this.prune(nowMs);
    return this.sentAtMs.length;
  }

  private prune(nowMs: number): void {
    const oldestCountedMs = nowMs - ORDER_RATE_WINDOW_MS;
    this.sentAtMs = this.sentAtMs.filter((atMs) => atMs > oldestCountedMs);
  }
}
