import { InvariantError } from "../../core/errors.js";

/**
 * The account's market data lines, shared by every session: each top-of-book stream and each real-time
 * bars subscription holds one until it is cancelled or its connection closes (ibkr-facts.md §3.3).
 */
export class MarketDataLines {
  private used = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new InvariantError(`market data line capacity ${capacity} must be an integer ≥ 0`);
    }
  }

  /** Lines held now. */
  get inUse(): number {
    return this.used;
  }

  /** Takes a line and returns the function that gives it back (once), or undefined when none is free. */
  acquire(): (() => void) | undefined {
    if (this.used >= this.capacity) return undefined;
    this.used += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= 1;
    };
  }
}
