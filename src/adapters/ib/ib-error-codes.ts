/**
 * What the daemon does about each IB error or system code (ibkr-facts.md §3.4 and §4): one table, so the
 * connection, the data clients and (later) the order path agree.
 *
 * - `info`: log it and go on.
 * - `retry`: a transient connection-level condition; reconnect (with backoff) or retry the request later.
 * - `resubscribe`: data subscriptions were lost or may have stalled; restore them and backfill the gap.
 * - `reject-request`: final for the one request (or order) it names; the caller gets an error/event.
 * - `fatal`: cannot be fixed by retrying; the connection stops with a message naming the fix.
 */
export type IbErrorAction = "info" | "retry" | "resubscribe" | "reject-request" | "fatal";

/** One row of the table. */
export interface IbCodeRule {
  readonly code: number;
  readonly action: IbErrorAction;
  readonly meaning: string;
}

const RULES: readonly IbCodeRule[] = [
  { code: 100, action: "retry", meaning: "max message rate exceeded; TWS drops the session if repeated" },
  { code: 101, action: "reject-request", meaning: "max number of market data lines reached" },
  { code: 103, action: "reject-request", meaning: "duplicate order id" },
  { code: 162, action: "reject-request", meaning: "historical data service error (pacing: see below)" },
  { code: 165, action: "reject-request", meaning: "historical data query message (usually no data)" },
  { code: 200, action: "reject-request", meaning: "no security definition found, or ambiguous contract" },
  { code: 201, action: "reject-request", meaning: "order rejected" },
  { code: 202, action: "reject-request", meaning: "order cancelled" },
  { code: 203, action: "reject-request", meaning: "security not available or allowed for this account" },
  { code: 321, action: "reject-request", meaning: "server error validating a request" },
  { code: 322, action: "reject-request", meaning: "server error processing a request" },
  { code: 326, action: "fatal", meaning: "client id already in use" },
  { code: 354, action: "reject-request", meaning: "market data not subscribed" },
  { code: 366, action: "info", meaning: "no historical data query found (cancel of a finished request)" },
  { code: 399, action: "info", meaning: "order message warning; the order continues" },
  { code: 404, action: "info", meaning: "shares not yet located for a short sale; order held" },
  { code: 420, action: "reject-request", meaning: "invalid real-time query (no permissions, pacing)" },
  { code: 434, action: "reject-request", meaning: "order size cannot be zero" },
  { code: 502, action: "retry", meaning: "could not connect to TWS (API off, wrong port, untrusted IP)" },
  { code: 504, action: "retry", meaning: "not connected" },
  { code: 505, action: "retry", meaning: "client could not decode a message (library/protocol mismatch)" },
  { code: 507, action: "retry", meaning: "bad message length; the socket is unusable" },
  { code: 1100, action: "retry", meaning: "connectivity between IB and TWS lost" },
  { code: 1101, action: "resubscribe", meaning: "connectivity restored, data lost: resubscribe" },
  { code: 1102, action: "info", meaning: "connectivity restored, data maintained" },
  { code: 1300, action: "fatal", meaning: "TWS socket port changed; this connection is dropped" },
  { code: 2103, action: "resubscribe", meaning: "market data farm connection broken" },
  { code: 2104, action: "info", meaning: "market data farm connection OK" },
  { code: 2105, action: "resubscribe", meaning: "historical data farm connection broken" },
  { code: 2106, action: "info", meaning: "historical data farm connection OK" },
  { code: 2107, action: "info", meaning: "historical data farm inactive, available on demand" },
  { code: 2108, action: "info", meaning: "market data farm inactive, available on demand" },
  {
    code: 2110,
    action: "retry",
    meaning: "connectivity between TWS and server broken; restored automatically",
  },
  { code: 2119, action: "info", meaning: "market data farm connecting" },
  { code: 2157, action: "info", meaning: "sec-def data farm connection broken" },
  { code: 2158, action: "info", meaning: "sec-def data farm connection OK" },
  { code: 10089, action: "reject-request", meaning: "market data needs an additional API subscription" },
  { code: 10090, action: "info", meaning: "part of the requested market data is not subscribed" },
  { code: 10147, action: "info", meaning: "order to cancel not found" },
  { code: 10148, action: "info", meaning: "order cannot be cancelled in its state (e.g. filled)" },
  { code: 10167, action: "info", meaning: "not subscribed: displaying delayed market data" },
  { code: 10168, action: "reject-request", meaning: "not subscribed and delayed market data not enabled" },
  { code: 10182, action: "resubscribe", meaning: "keepUpToDate stream failed (disconnected)" },
  { code: 10186, action: "reject-request", meaning: "not subscribed and delayed market data not enabled" },
  { code: 10197, action: "retry", meaning: "no market data during a competing live session" },
  { code: 10225, action: "resubscribe", meaning: "bust event: real-time bars subscription deactivated" },
];

/** The table, by code. */
export const IB_CODE_RULES: ReadonlyMap<number, IbCodeRule> = new Map(RULES.map((rule) => [rule.code, rule]));

/** A 162 whose text says pacing is retried; every other 162 (no data, no permissions) is final. */
export function isPacingViolation(code: number, message: string): boolean {
  return code === 162 && /pacing violation/i.test(message);
}

/**
 * The action for an IB code and its text. Codes not in the table: 2100–2999 are TWS warnings (`info`), a
 * text starting "Warning:" is `info`, anything else addressed to a request is final for that request.
 */
export function classifyIbCode(code: number, message: string): IbErrorAction {
  if (isPacingViolation(code, message)) return "retry";
  const rule = IB_CODE_RULES.get(code);
  if (rule !== undefined) return rule.action;
  if ((code >= 2100 && code <= 2999) || /^\s*warning:/i.test(message)) return "info";
  return "reject-request";
}
