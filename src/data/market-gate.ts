import type { Bar } from "../model/bar.js";
import type { DailyCycleGuard, GateDecision } from "./daily-cycle.js";
import type { TradingHours } from "./trading-hours.js";

/** What a MarketGate consults. */
export interface MarketGateOptions {
  readonly dailyCycle: DailyCycleGuard;
  /** The hours orders are checked against (usually `liquidHours`), or undefined before contract details load. */
  readonly hoursOf: (symbol: string) => TradingHours | undefined;
}

const accepted: GateDecision = Object.freeze({ allowed: true });

function iso(timeMs: number): string {
  return new Date(timeMs).toISOString();
}

/** Why `timeMs` is closed: outside a session, or past what the contract details tell. */
function closedReason(hours: TradingHours, timeMs: number, what: string): string {
  if (!hours.covers(timeMs) && hours.fallback === "none") {
    return (
      `${what}: ${hours.label} lists only ${iso(hours.coveredFromMs)} to ${iso(hours.coveredUntilMs)}; ` +
      "refresh the contract details"
    );
  }
  const nextOpenMs = hours.nextOpen(timeMs);
  const next = nextOpenMs === undefined ? "" : ` (next open ${iso(nextOpenMs)})`;
  return `${what} is outside ${hours.label}${next}`;
}

/**
 * The daemon's market-hours gate: bars reach strategies only when they close inside a session of the
 * instrument, and new orders go out only inside a session and outside IB's daily reset and restart periods.
 */
export class MarketGate {
  private readonly dailyCycle: DailyCycleGuard;
  private readonly hoursOf: (symbol: string) => TradingHours | undefined;

  constructor(options: MarketGateOptions) {
    this.dailyCycle = options.dailyCycle;
    this.hoursOf = options.hoursOf;
  }

  /**
   * Passes a bar whose close falls inside a session (its last millisecond, `closeTime − 1`, is open: the bar
   * ending at the 16:00 close passes, the one starting then does not); otherwise says why it is dropped.
   */
  barAccepted(bar: Bar, hours: TradingHours): GateDecision {
    const lastMs = bar.closeTime - 1;
    if (hours.isOpen(lastMs)) return accepted;
    return {
      allowed: false,
      reason: closedReason(hours, lastMs, `${bar.symbol} bar closing ${iso(bar.closeTime)}`),
    };
  }

  /** Whether a new order for `symbol` may go out at `timeMs`: inside its session and the daily cycle allows. */
  orderAllowed(symbol: string, timeMs: number): GateDecision {
    const hours = this.hoursOf(symbol);
    if (hours === undefined) {
      return {
        allowed: false,
        reason: `no trading hours known for ${symbol}: its contract details are not loaded`,
      };
    }
    if (!hours.isOpen(timeMs)) {
      return { allowed: false, reason: closedReason(hours, timeMs, `${symbol} order at ${iso(timeMs)}`) };
    }
    return this.dailyCycle.ordersAllowed(timeMs);
  }
}
