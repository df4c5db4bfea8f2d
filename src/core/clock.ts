/** The only source of time for domain code: backtests drive a ManualClock, the daemon a SystemClock. */
export interface Clock {
  /** Milliseconds since the Unix epoch (UTC). */
  nowMs(): number;
}
