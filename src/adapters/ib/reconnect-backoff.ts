import type { Rng } from "../../core/rng.js";

/** How long to wait before reconnect attempts. */
export interface BackoffSettings {
  /** Delay before the first retry. */
  readonly initialDelayMs: number;
  /** Cap on any delay. */
  readonly maxDelayMs: number;
}

/**
 * Delay before reconnect attempt `attempt` (1 = the first retry): exponential (initial × 2^(attempt−1)),
 * capped, with "equal jitter" — between half and all of that — so many daemons restarted by the same
 * Gateway reset do not reconnect in lock step.
 */
export function reconnectDelayMs(attempt: number, settings: BackoffSettings, rng: Rng): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const base = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** exponent);
  return Math.round(base / 2 + (base / 2) * rng.next());
}
