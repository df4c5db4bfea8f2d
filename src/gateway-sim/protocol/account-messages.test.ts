import { describe, expect, it } from "vitest";
import {
  encodeAccountDownloadEnd,
  encodeAccountSummary,
  encodeAccountUpdateMulti,
  encodeAccountUpdateTime,
  encodeAccountValue,
  encodePnl,
  encodePnlSingle,
  encodePortfolioValue,
  encodePosition,
  encodePositionEnd,
  type PositionContract,
} from "./account-messages.js";
import { FrameReader } from "./frame-reader.js";

function fieldsOf(frame: Buffer): readonly string[] {
  const [decoded] = new FrameReader({ expectHello: false }).push(frame);
  if (decoded?.kind !== "message") throw new Error("not one message");
  return decoded.fields;
}

const AAPL: PositionContract = {
  conId: 265598,
  symbol: "AAPL",
  secType: "STK",
  lastTradeDateOrContractMonth: "",
  strike: 0,
  right: "",
  multiplier: "",
  exchange: "NASDAQ",
  currency: "USD",
  localSymbol: "AAPL",
  tradingClass: "NMS",
};

describe("account message encoders", () => {
  it("write POSITION as version 3, with tradingClass and avgCost", () => {
    expect(fieldsOf(encodePosition(176, "DU1234567", AAPL, "100", 201.95))).toEqual([
      "61",
      "3",
      "DU1234567",
      "265598",
      "AAPL",
      "STK",
      "",
      "0.0",
      "",
      "",
      "NASDAQ",
      "USD",
      "AAPL",
      "NMS",
      "100",
      "201.95",
    ]);
    expect(fieldsOf(encodePositionEnd(193))).toEqual(["62", "1"]);
  });

  it("write ACCOUNT_SUMMARY rows", () => {
    expect(
      fieldsOf(encodeAccountSummary(193, 9, "DU1234567", "NetLiquidation", "1000000.00", "USD")),
    ).toEqual(["63", "1", "9", "DU1234567", "NetLiquidation", "1000000.00", "USD"]);
  });

  it.each([176, 193])(
    "write PNL and PNL_SINGLE with unrealized and realized P&L at server version %i",
    (sv) => {
      const values = { dailyPnl: 12.5, unrealizedPnl: -3, realizedPnl: 0 };
      expect(fieldsOf(encodePnl(sv, 4, values))).toEqual(["94", "4", "12.5", "-3.0", "0.0"]);
      expect(fieldsOf(encodePnlSingle(sv, 5, "100", values, 20194))).toEqual([
        "95",
        "5",
        "100",
        "12.5",
        "-3.0",
        "0.0",
        "20194.0",
      ]);
    },
  );

  it("write the reqAccountUpdates family (version 8 PORTFOLIO_VALUE with primaryExch)", () => {
    expect(fieldsOf(encodeAccountValue(176, "NetLiquidation", "1000000.00", "USD", "DU1234567"))).toEqual([
      "6",
      "2",
      "NetLiquidation",
      "1000000.00",
      "USD",
      "DU1234567",
    ]);
    const row = {
      contract: AAPL,
      position: "100",
      marketPrice: 202.5,
      marketValue: 20250,
      averageCost: 201.95,
      unrealizedPnl: 55,
      realizedPnl: 0,
      account: "DU1234567",
    };
    expect(fieldsOf(encodePortfolioValue(193, row))).toEqual([
      "7",
      "8",
      "265598",
      "AAPL",
      "STK",
      "",
      "0.0",
      "",
      "",
      "NASDAQ",
      "USD",
      "AAPL",
      "NMS",
      "100",
      "202.5",
      "20250.0",
      "201.95",
      "55.0",
      "0.0",
      "DU1234567",
    ]);
    expect(fieldsOf(encodeAccountUpdateTime(193, "15:04"))).toEqual(["8", "1", "15:04"]);
    expect(fieldsOf(encodeAccountDownloadEnd(193, "DU1234567"))).toEqual(["54", "1", "DU1234567"]);
  });

  it("write ACCOUNT_UPDATE_MULTI rows", () => {
    const entry = { key: "CashBalance", value: "1000000.00", currency: "BASE" };
    expect(fieldsOf(encodeAccountUpdateMulti(193, 3, "DU1234567", "", entry))).toEqual([
      "73",
      "1",
      "3",
      "DU1234567",
      "",
      "CashBalance",
      "1000000.00",
      "BASE",
    ]);
  });
});
