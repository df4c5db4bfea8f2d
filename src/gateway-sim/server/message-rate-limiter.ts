import { InvariantError } from "../../core/errors.js";
import type { TwsErrorMessage } from "../protocol/server-messages.js";

/** The client→server message cap TWS enforces: 50 per second (ibkr-facts.md §3.2). */
export const MAX_CLIENT_MESSAGES_PER_SECOND = 50;

/** After this many violations TWS drops the API session (ibkr-facts.md §3.2). */
export const VIOLATIONS_BEFORE_DISCONNECT = 3;

const WINDOW_MS = 1_000;

/** One breach of the cap: the n-th of the connection and how many messages the window held. */
export interface RateViolation {
  readonly number: number;
  readonly received: number;
  /** True on the violation that ends the session. */
  readonly disconnect: boolean;
}

/** What to do with one incoming message. */
export type RateVerdict =
  | { readonly accepted: true }
  /** Over the cap: the message is not processed; `violation` is set when TWS reports it with error 100. */
  | { readonly accepted: false; readonly violation: RateViolation | undefined };

/**
 * Counts a connection's incoming messages in a sliding one-second window, as TWS does with "Reject messages
 * above maximum allowed message rate" (ibkr-facts.md §3.2): a message that makes the window hold more than
 * the cap is rejected. A breach is reported at most once per second — real logs show one error 100 per
 * burst, e.g. "rec=138 (1)" — so a client that keeps flooding collects its third report, and the
 * disconnect, after two more seconds. Pure: the caller passes monotonic time in.
 */
export class MessageRateLimiter {
  /** Arrival times; those before `head` have left the window. */
  private arrivals: number[] = [];
  private head = 0;
  private violations = 0;
  private lastReportMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxPerSecond = MAX_CLIENT_MESSAGES_PER_SECOND,
    private readonly violationsBeforeDisconnect = VIOLATIONS_BEFORE_DISCONNECT,
  ) {
    if (!Number.isInteger(maxPerSecond) || maxPerSecond < 1) {
      throw new InvariantError(`message rate cap ${maxPerSecond} must be a positive integer`);
    }
  }

  /** Records a message received at `nowMs` (milliseconds from any fixed origin, never decreasing). */
  record(nowMs: number): RateVerdict {
    while (this.head < this.arrivals.length && nowMs - (this.arrivals[this.head] ?? nowMs) >= WINDOW_MS) {
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.arrivals.length) {
      this.arrivals = this.arrivals.slice(this.head);
      this.head = 0;
    }
    this.arrivals.push(nowMs);
    const inWindow = this.arrivals.length - this.head;
    if (inWindow <= this.maxPerSecond) return { accepted: true };
    if (nowMs - this.lastReportMs < WINDOW_MS) return { accepted: false, violation: undefined };
    this.lastReportMs = nowMs;
    this.violations += 1;
    return {
      accepted: false,
      violation: {
        number: this.violations,
        received: inWindow,
        disconnect: this.violations >= this.violationsBeforeDisconnect,
      },
    };
  }
}

/**
 * Error 100 for a violation. The text is the one in real TWS logs, "Max rate of messages per second has
 * been exceeded:max=50 rec=138 (1)", whose request id and final number are the violation's count (three
 * public logs show id 1 with "(1)" and id 3 with "(3)"); ibkr-facts.md §3.2 gives only the first part.
 */
export function messageRateExceeded(
  violation: RateViolation,
  maxPerSecond = MAX_CLIENT_MESSAGES_PER_SECOND,
): TwsErrorMessage {
  return {
    id: violation.number,
    code: 100,
    message: `Max rate of messages per second has been exceeded:max=${maxPerSecond} rec=${violation.received} (${violation.number})`,
  };
}
