import { describe, expect, it } from "vitest";
import { classifyIbCode, IB_CODE_RULES, isPacingViolation, type IbErrorAction } from "./ib-error-codes.js";

/**
 * The expected action for every code in ibkr-facts.md §3.4/§4, restated independently of the table so a
 * change to either shows up here, with the text IB sends where it matters.
 */
const EXPECTED: readonly (readonly [code: number, text: string, action: IbErrorAction])[] = [
  [100, "Max rate of messages per second has been exceeded", "retry"],
  [101, "Max number of tickers has been reached", "reject-request"],
  [103, "Duplicate order id", "reject-request"],
  [
    162,
    "Historical Market Data Service error message:HMDS query returned no data: SPY@SMART Trades",
    "reject-request",
  ],
  [162, "Historical Market Data Service error message:Historical data request pacing violation", "retry"],
  [165, "Historical Market Data Service query message:no data", "reject-request"],
  [200, "No security definition has been found for the request", "reject-request"],
  [201, "Order rejected - reason:insufficient funds", "reject-request"],
  [202, "Order Canceled - reason:", "reject-request"],
  [203, "The security SPY is not available or allowed for this account", "reject-request"],
  [
    321,
    "Error validating request.-'bY' : cause - What to show field is missing or incorrect.",
    "reject-request",
  ],
  [322, "Error processing request.-'bQ' : cause - Duplicate ticker id", "reject-request"],
  [326, "Unable to connect as the client id is already in use. Retry with a unique client id.", "fatal"],
  [354, "Requested market data is not subscribed.", "reject-request"],
  [366, "No historical data query found for ticker id:7", "info"],
  [
    399,
    "Warning: your order will not be placed at the exchange until 2024-01-02 09:30:00 US/Eastern",
    "info",
  ],
  [404, "Order held while securities are located.", "info"],
  [420, "Invalid Real-time Query:No market data permissions for ARCA STK", "reject-request"],
  [434, "The order size cannot be zero", "reject-request"],
  [502, 'Couldn\'t connect to TWS. Confirm that "Enable ActiveX and Socket Clients" is enabled.', "retry"],
  [504, "Not connected", "retry"],
  [505, "Fatal Error: Unknown message id.", "retry"],
  [507, "Bad Message Length", "retry"],
  [1100, "Connectivity between IB and Trader Workstation has been lost.", "retry"],
  [1101, "Connectivity between IB and Trader Workstation has been restored - data lost.", "resubscribe"],
  [1102, "Connectivity between IB and Trader Workstation has been restored - data maintained.", "info"],
  [1300, "TWS socket port has been reset and this connection is being dropped.", "fatal"],
  [2103, "Market data farm connection is broken:usfarm", "resubscribe"],
  [2104, "Market data farm connection is OK:usfarm", "info"],
  [2105, "HMDS data farm connection is broken:ushmds", "resubscribe"],
  [2106, "HMDS data farm connection is OK:ushmds", "info"],
  [2107, "HMDS data farm connection is inactive but should be available upon demand.ushmds", "info"],
  [2108, "Market data farm connection is inactive but should be available upon demand.usfarm", "info"],
  [
    2110,
    "Connectivity between Trader Workstation and server is broken. It will be restored automatically.",
    "retry",
  ],
  [2119, "Market data farm is connecting:usfarm", "info"],
  [2157, "Sec-def data farm connection is broken:secdefil", "info"],
  [2158, "Sec-def data farm connection is OK:secdefil", "info"],
  [10089, "Requested market data requires additional subscription for API.", "reject-request"],
  [10090, "Part of requested market data is not subscribed.", "info"],
  [10147, "OrderId 7 that needs to be cancelled is not found.", "info"],
  [10148, "OrderId 7 that needs to be cancelled cannot be cancelled, state: Filled.", "info"],
  [10167, "Requested market data is not subscribed. Displaying delayed market data.", "info"],
  [10168, "Requested market data is not subscribed. Delayed market data is not enabled.", "reject-request"],
  [10182, "Failed to request live updates (disconnected).", "resubscribe"],
  [10186, "Requested market data is not subscribed. Delayed market data is not enabled.", "reject-request"],
  [10197, "No market data during competing session", "retry"],
  [
    10225,
    "Bust event occurred, current subscription is deactivated. Please resubscribe real-time bars immediately.",
    "resubscribe",
  ],
];

describe("IB code table", () => {
  it.each(EXPECTED)("code %i (%s) means %s", (code, text, action) => {
    expect(classifyIbCode(code, text)).toBe(action);
  });

  it("covers every code in the facts and nothing the test does not expect", () => {
    expect([...IB_CODE_RULES.keys()].sort((a, b) => a - b)).toEqual(
      [...new Set(EXPECTED.map(([code]) => code))].sort((a, b) => a - b),
    );
  });

  it("treats unknown 21xx codes and texts starting with Warning: as information", () => {
    expect(classifyIbCode(2150, "Invalid position trade derived value")).toBe("info");
    expect(classifyIbCode(9999, "Warning: something harmless")).toBe("info");
  });

  it("treats an unknown code addressed to a request as final for that request", () => {
    expect(classifyIbCode(9998, "Something failed")).toBe("reject-request");
  });

  it("recognises a pacing violation only by a 162 with IB's text", () => {
    expect(
      isPacingViolation(
        162,
        "Historical Market Data Service error message:Historical data request pacing violation",
      ),
    ).toBe(true);
    expect(
      isPacingViolation(162, "Historical Market Data Service error message:HMDS query returned no data"),
    ).toBe(false);
    expect(isPacingViolation(420, "pacing violation")).toBe(false);
  });
});
