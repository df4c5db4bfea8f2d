import type { Bar } from "../model/bar.js";

/** Formats an epoch-millisecond time for a message: ISO 8601 UTC, or the raw number when not a valid time. */
export function formatTimeForMessage(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

function priceProblem(name: string, value: number): string | undefined {
  return value > 0 && value < Number.POSITIVE_INFINITY
    ? undefined
    : `${name} ${value} is not a positive finite price`;
}

/**
 * Checks one bar (and its order against the previous bar of the same symbol), returning a one-line
 * reason such as "high 9.5 is below low 10" when it is invalid, or undefined when it is valid.
 */
export function validateBar(bar: Bar, previous?: Bar): string | undefined {
  const { open, high, low, close, volume, openTime, closeTime } = bar;
  // Fast path for valid bars (every comparison with NaN is false, so NaN falls through to the checks).
  if (
    low > 0 &&
    high < Number.POSITIVE_INFINITY &&
    high >= open &&
    high >= close &&
    low <= open &&
    low <= close &&
    volume >= 0 &&
    volume < Number.POSITIVE_INFINITY &&
    openTime > Number.NEGATIVE_INFINITY &&
    closeTime < Number.POSITIVE_INFINITY &&
    openTime < closeTime &&
    (previous?.symbol !== bar.symbol || openTime >= previous.closeTime)
  ) {
    return undefined;
  }
  return invalidBarReason(bar, previous);
}

function invalidBarReason(bar: Bar, previous: Bar | undefined): string | undefined {
  const { open, high, low, close, volume } = bar;
  const priceReason =
    priceProblem("open", open) ??
    priceProblem("high", high) ??
    priceProblem("low", low) ??
    priceProblem("close", close);
  if (priceReason !== undefined) return priceReason;
  if (high < low) return `high ${high} is below low ${low}`;
  if (high < open) return `high ${high} is below open ${open}`;
  if (high < close) return `high ${high} is below close ${close}`;
  if (low > open) return `low ${low} is above open ${open}`;
  if (low > close) return `low ${low} is above close ${close}`;
  if (!(volume >= 0 && volume < Number.POSITIVE_INFINITY)) {
    return `volume ${volume} is not a finite number >= 0`;
  }
  if (!Number.isFinite(bar.openTime) || !Number.isFinite(bar.closeTime)) {
    return `openTime ${bar.openTime} and closeTime ${bar.closeTime} must be finite epoch milliseconds`;
  }
  if (bar.closeTime <= bar.openTime) {
    return `closeTime ${formatTimeForMessage(bar.closeTime)} is not after openTime ${formatTimeForMessage(bar.openTime)}`;
  }
  if (previous?.symbol === bar.symbol && bar.openTime < previous.closeTime) {
    return (
      `bar opens at ${formatTimeForMessage(bar.openTime)}, before the previous ${bar.symbol} bar ` +
      `closes at ${formatTimeForMessage(previous.closeTime)}`
    );
  }
  return undefined;
}
