import { nextSessionOpen, sessionOf } from "../../data/trading-session.js";
import type { SimOrder } from "./sim-order.js";

// When working orders are looked at: the model moves on a 5-second grid inside regular sessions
// (09:30–16:00 New York on NYSE trading days) and rests between them.

/** The market model moves on a 5-second grid; resting orders are checked on it. */
export const CHECK_INTERVAL_MS = 5_000;

/** True inside a regular session (09:30–16:00 New York on an NYSE trading day). */
export function isMarketOpen(timeMs: number): boolean {
  const session = sessionOf(timeMs);
  return session !== undefined && timeMs >= session.openMs && timeMs < session.closeMs;
}

/** The close of the session a DAY order placed at `timeMs` works in: today's if not yet closed, else the next. */
export function dayOrderExpiry(timeMs: number): number {
  const today = sessionOf(timeMs);
  if (today !== undefined && timeMs < today.closeMs) return today.closeMs;
  const nextOpen = nextSessionOpen(timeMs);
  return sessionOf(nextOpen)?.closeMs ?? nextOpen;
}

/** When working orders next need a look: the next 5-second step in session, else the next open, or a fill delay ending. */
export function nextCheckMs(now: number, working: readonly SimOrder[]): number {
  let next: number;
  const session = sessionOf(now);
  if (session !== undefined && now >= session.openMs && now < session.closeMs) {
    next = Math.min(
      Math.floor(now / CHECK_INTERVAL_MS) * CHECK_INTERVAL_MS + CHECK_INTERVAL_MS,
      session.closeMs,
    );
  } else {
    next = nextSessionOpen(now);
  }
  for (const order of working) {
    if (order.fillableFromMs > now) next = Math.min(next, order.fillableFromMs);
    if (order.expiresAtMs !== undefined && order.expiresAtMs > now) next = Math.min(next, order.expiresAtMs);
  }
  return next;
}
