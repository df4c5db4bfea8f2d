import type { TradingState } from "../config/config.js";

/** One switch of the trading state: where it came from, where it went, and why. */
export interface TradingStateChange {
  readonly from: TradingState;
  readonly to: TradingState;
  readonly reason: string;
}

/**
 * Holds the trading state (active, reducing-only, halted) and why it is what it is; an operator or the
 * daily-loss limit switches it at run time, and listeners hear every switch (for logs and status).
 */
export class TradingStateSwitch {
  private currentState: TradingState;
  private currentReason: string;
  private readonly listeners = new Set<(change: TradingStateChange) => void>();

  constructor(initial: TradingState, reason = `RISK_TRADING_STATE is ${initial}`) {
    this.currentState = initial;
    this.currentReason = reason;
  }

  state(): TradingState {
    return this.currentState;
  }

  /** Why the switch is in its current state, e.g. "daily loss 1,234.56 USD exceeds RISK_MAX_DAILY_LOSS 1,000 USD". */
  reason(): string {
    return this.currentReason;
  }

  /** Moves to `state` and tells the listeners; setting the current state again changes nothing and returns false. */
  set(state: TradingState, reason: string): boolean {
    if (state === this.currentState) return false;
    const change: TradingStateChange = Object.freeze({ from: this.currentState, to: state, reason });
    this.currentState = state;
    this.currentReason = reason;
    for (const listener of [...this.listeners]) listener(change);
    return true;
  }

  /** Calls `listener` after every switch; returns the function that removes it. */
  onChange(listener: (change: TradingStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
