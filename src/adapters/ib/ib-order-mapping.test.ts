import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import type { OrderIntent } from "../../model/order.js";
import { fillOfExecution, ibOrderOf, parseIbExecutionTime } from "./ib-order-mapping.js";

function anIntent(overrides: Partial<OrderIntent> = {}): OrderIntent {
  return {
    intentId: "20240102-150405-0001",
    strategy: "sma",
    symbol: "SPY",
    side: "BUY",
    quantity: new Decimal(10),
    type: "MARKET",
    timeInForce: "DAY",
    createdAt: 0,
    ...overrides,
  };
}

describe("IB order mapping", () => {
  it("sends our intent id as orderRef, the account, and transmit set explicitly", () => {
    expect(ibOrderOf(anIntent(), "DU1234567")).toEqual({
      action: "BUY",
      totalQuantity: 10,
      orderType: "MKT",
      tif: "DAY",
      orderRef: "20240102-150405-0001",
      account: "DU1234567",
      transmit: true,
      outsideRth: false,
    });
  });

  it("carries limit and stop prices", () => {
    expect(ibOrderOf(anIntent({ type: "LIMIT", limitPrice: 470.5, side: "SELL" }), "DU1")).toMatchObject({
      action: "SELL",
      orderType: "LMT",
      lmtPrice: 470.5,
    });
    expect(ibOrderOf(anIntent({ type: "STOP", stopPrice: 460, timeInForce: "GTC" }), "DU1")).toMatchObject({
      orderType: "STP",
      auxPrice: 460,
      tif: "GTC",
    });
  });

  it("refuses fractional or non-positive share quantities", () => {
    expect(() => ibOrderOf(anIntent({ quantity: new Decimal("1.5") }), "DU1")).toThrow(
      /whole number of shares/,
    );
    expect(() => ibOrderOf(anIntent({ quantity: new Decimal(0) }), "DU1")).toThrow(/whole number of shares/);
  });

  it("reads execution times with two spaces, in the login zone or the zone given", () => {
    expect(parseIbExecutionTime("20250415  19:38:31", "UTC")).toBe(Date.UTC(2025, 3, 15, 19, 38, 31));
    expect(parseIbExecutionTime("20250415  15:38:31", "America/New_York")).toBe(
      Date.UTC(2025, 3, 15, 19, 38, 31),
    );
    expect(parseIbExecutionTime("20240102 10:00:00 America/New_York", "UTC")).toBe(Date.UTC(2024, 0, 2, 15));
    expect(parseIbExecutionTime("2025-04-15 19:38:31", "UTC")).toBeUndefined();
  });

  it("reads New York times on either side of the spring DST change with the offset then in force", () => {
    const zone = "America/New_York";
    expect(parseIbExecutionTime("20240310  01:59:59", zone)).toBe(Date.UTC(2024, 2, 10, 6, 59, 59));
    expect(parseIbExecutionTime("20240310  03:30:00", zone)).toBe(Date.UTC(2024, 2, 10, 7, 30));
    // 02:30 never shows on a New York clock that day; it reads with the summer offset.
    expect(parseIbExecutionTime("20240310  02:30:00", zone)).toBe(Date.UTC(2024, 2, 10, 6, 30));
  });

  it("reads the repeated hour of the autumn DST change as its first, summer-time occurrence", () => {
    const zone = "America/New_York";
    expect(parseIbExecutionTime("20241103  01:30:00", zone)).toBe(Date.UTC(2024, 10, 3, 5, 30));
    expect(parseIbExecutionTime("20241103  02:00:00", zone)).toBe(Date.UTC(2024, 10, 3, 7));
  });

  it("gives no time for a zone it does not know, however often it is asked", () => {
    expect(parseIbExecutionTime("20240102 10:00:00 Not/A_Zone", "UTC")).toBeUndefined();
    expect(parseIbExecutionTime("20240102 10:00:00 Not/A_Zone", "UTC")).toBeUndefined();
    expect(parseIbExecutionTime("20240102  10:00:00", "Not/A_Zone")).toBeUndefined();
  });

  it("turns an execution into a fill keyed by execId and our orderRef", () => {
    const fill = fillOfExecution(
      { execId: "0000e0d5.67fe667b.01.01", orderRef: "abc", side: "SLD", shares: 5, price: 470.25 },
      "SPY",
      1_000,
    );
    expect(fill).toMatchObject({
      fillId: "0000e0d5.67fe667b.01.01",
      orderId: "abc",
      side: "SELL",
      time: 1_000,
    });
    expect(fill?.quantity.toString()).toBe("5");
    expect(fill?.price.toString()).toBe("470.25");
    expect(fillOfExecution({ execId: "x", side: "BOT", shares: 1, price: 1 }, "SPY", 0)).toBeUndefined();
  });
});
