import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { BUILT_IN_INSTRUMENTS } from "../market/instrument-universe.js";
import type { SimInstrument } from "../market/sim-instrument.js";
import type { ExecutionFilterRequest } from "../protocol/order-request-decoders.js";
import type { ExecutionRecord } from "./account-book.js";
import { matchesExecutionFilter } from "./execution-filter.js";

const AAPL: SimInstrument = BUILT_IN_INSTRUMENTS.find((instrument) => instrument.symbol === "AAPL")!;
const NOW = Date.UTC(2024, 0, 2, 16, 0);
const EXECUTION: ExecutionRecord = {
  execId: "0000e0d5.65942e00.01.01",
  timeMs: Date.UTC(2024, 0, 2, 15, 0),
  orderId: 1000,
  clientId: 5,
  permId: 600000001,
  account: "DU1234567",
  instrument: AAPL,
  venue: "ISLAND",
  action: "BUY",
  shares: new Decimal(100),
  price: 201.94,
  cumQty: new Decimal(100),
  avgPrice: 201.94,
  orderRef: "",
  lastLiquidity: 2,
  commission: new Decimal(1),
  realizedPnl: undefined,
};
const NO_FILTER: ExecutionFilterRequest = {
  reqId: 1,
  clientId: 0,
  account: "",
  time: "",
  symbol: "",
  secType: "",
  exchange: "",
  side: "",
};

describe("matchesExecutionFilter", () => {
  it("returns today's executions for an empty filter, whichever client placed them", () => {
    expect(matchesExecutionFilter(EXECUTION, NO_FILTER, NOW)).toBe(true);
  });

  it("leaves out executions from before midnight, as IB Gateway does", () => {
    expect(matchesExecutionFilter(EXECUTION, NO_FILTER, NOW + 86_400_000)).toBe(false);
  });

  it.each<[Partial<ExecutionFilterRequest>, boolean]>([
    [{ clientId: 5 }, true],
    [{ clientId: 6 }, false],
    [{ account: "DU1234567" }, true],
    [{ account: "DU7654321" }, false],
    [{ symbol: "aapl" }, true],
    [{ symbol: "MSFT" }, false],
    [{ secType: "STK" }, true],
    [{ exchange: "ISLAND" }, true],
    [{ exchange: "NYSE" }, false],
    [{ side: "BUY" }, true],
    [{ side: "BOT" }, true],
    [{ side: "SELL" }, false],
    [{ time: "20240102-14:59:59" }, true],
    [{ time: "20240102-15:00:01" }, false],
  ])("applies %j", (filter, expected) => {
    expect(matchesExecutionFilter(EXECUTION, { ...NO_FILTER, ...filter }, NOW)).toBe(expected);
  });
});
