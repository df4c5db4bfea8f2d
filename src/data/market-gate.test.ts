import { describe, expect, it } from "vitest";
import { aBar } from "../../test/kit/bars.js";
import { DailyCycleGuard, parseResetWindows } from "./daily-cycle.js";
import { MarketGate } from "./market-gate.js";
import { TradingHours, type ContractHours, type HoursField } from "./trading-hours.js";

const utc = (text: string): number => Date.parse(text);
const MINUTE_MS = 60_000;

function hoursOf(fields: Partial<ContractHours> = {}, field: HoursField = "liquidHours"): TradingHours {
  return TradingHours.parse(
    {
      symbol: "SPY",
      conId: 756733,
      currency: "USD",
      timeZoneId: "US/Eastern",
      tradingHours: "20240102:0400-20240102:2000;20240103:0400-20240103:2000",
      liquidHours: "20240102:0930-20240102:1600;20240103:0930-20240103:1600",
      ...fields,
    },
    field,
  );
}

/** A gate over SPY's regular hours, with the default reset window and a 23:50 New York restart. */
function aGate(hours: TradingHours = hoursOf()): MarketGate {
  return new MarketGate({
    dailyCycle: new DailyCycleGuard({
      resetWindows: parseResetWindows("23:45-00:45 America/New_York"),
      gatewayRestart: { time: "23:50", timeZone: "America/New_York" },
      quietMarginMinutes: 10,
    }),
    hoursOf: (symbol) => (symbol === "SPY" ? hours : undefined),
  });
}

describe("MarketGate.barAccepted", () => {
  it("passes the first and the last minute bar of the session", () => {
    const gate = aGate();
    expect(gate.barAccepted(aBar({ openTime: utc("2024-01-02T14:30:00Z") }), hoursOf())).toEqual({
      allowed: true,
    });
    expect(gate.barAccepted(aBar({ openTime: utc("2024-01-02T20:59:00Z") }), hoursOf())).toEqual({
      allowed: true,
    });
  });

  it("drops a bar closing after the session close, saying when the next session opens", () => {
    const bar = aBar({ openTime: utc("2024-01-02T21:00:00Z") });
    expect(aGate().barAccepted(bar, hoursOf())).toEqual({
      allowed: false,
      reason:
        "SPY bar closing 2024-01-02T21:01:00.000Z is outside SPY (conId 756733) liquidHours " +
        "(next open 2024-01-03T14:30:00.000Z)",
    });
  });

  it("drops a pre-market bar closing at the open", () => {
    const bar = aBar({ openTime: utc("2024-01-02T14:29:00Z") });
    expect(aGate().barAccepted(bar, hoursOf()).allowed).toBe(false);
  });

  it("passes a pre-market bar when checked against tradingHours", () => {
    const bar = aBar({
      openTime: utc("2024-01-02T13:00:00Z"),
      closeTime: utc("2024-01-02T13:00:00Z") + MINUTE_MS,
    });
    expect(aGate().barAccepted(bar, hoursOf({}, "tradingHours"))).toEqual({ allowed: true });
  });

  it("asks for fresh contract details for a bar past the listed days of a non-US contract", () => {
    const hours = hoursOf({ currency: "EUR" });
    const bar = aBar({ openTime: utc("2024-01-04T15:00:00Z") });
    expect(aGate(hours).barAccepted(bar, hours)).toEqual({
      allowed: false,
      reason:
        "SPY bar closing 2024-01-04T15:01:00.000Z: SPY (conId 756733) liquidHours lists only " +
        "2024-01-02T05:00:00.000Z to 2024-01-04T05:00:00.000Z; refresh the contract details",
    });
  });
});

describe("MarketGate.orderAllowed", () => {
  it("allows an order inside the session", () => {
    expect(aGate().orderAllowed("SPY", utc("2024-01-02T15:00:00Z"))).toEqual({ allowed: true });
  });

  it("refuses an order outside the session", () => {
    const decision = aGate().orderAllowed("SPY", utc("2024-01-02T22:00:00Z"));
    expect(decision).toEqual({
      allowed: false,
      reason:
        "SPY order at 2024-01-02T22:00:00.000Z is outside SPY (conId 756733) liquidHours " +
        "(next open 2024-01-03T14:30:00.000Z)",
    });
  });

  it("refuses an order inside a session that overlaps the reset window", () => {
    const hours = hoursOf({ currency: "EUR", liquidHours: "20240102:1800-20240103:1700" });
    const decision = aGate(hours).orderAllowed("SPY", utc("2024-01-03T04:40:00Z")); // 23:40 New York
    expect(decision).toEqual({
      allowed: false,
      reason:
        "no new orders until 2024-01-03T05:55:00.000Z: IB's daily reset 23:45-00:45 America/New_York (±10 min) " +
        "and the Gateway restart at 23:50 America/New_York (±10 min)",
    });
  });

  it("refuses an order for a symbol without trading hours", () => {
    expect(aGate().orderAllowed("QQQ", utc("2024-01-02T15:00:00Z"))).toEqual({
      allowed: false,
      reason: "no trading hours known for QQQ: its contract details are not loaded",
    });
  });
});
