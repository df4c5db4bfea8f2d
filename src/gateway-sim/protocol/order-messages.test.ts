import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { FieldReader } from "./field-reader.js";
import { FrameReader } from "./frame-reader.js";
import {
  encodeCommissionReport,
  encodeCompletedOrdersEnd,
  encodeExecutionData,
  encodeExecutionDataEnd,
  encodeOpenOrderEnd,
  encodeOrderStatus,
  type ExecutionMessage,
} from "./order-messages.js";
import { decodeCancelOrder, decodeExecutionFilter, decodeGlobalCancel } from "./order-request-decoders.js";

function fieldsOf(frame: Buffer): readonly string[] {
  const [decoded] = new FrameReader({ expectHello: false }).push(frame);
  if (decoded?.kind !== "message") throw new Error("not one message");
  return decoded.fields;
}

// Real TWS frames of one TSLA market order (rust-ibapi fixtures, ibkr-facts.md [RUST]).
const CAPTURED = {
  preSubmitted: "3|13|PreSubmitted|0|100|0|1376327563|0|0|100||0",
  filled: "3|13|Filled|100|0|196.52|1376327563|0|196.52|100||0",
  execution:
    "11|-1|13|76792991|TSLA|STK||0.0|||ISLAND|USD|TSLA|NMS|00025b46.63f8f39c.01.01|20230224  12:04:56|DU1234567|ISLAND|BOT|100|196.52|1376327563|100|0|100|196.52|||||2",
  commission: "59|1|00025b46.63f8f39c.01.01|1.0|USD|1.7976931348623157E308|1.7976931348623157E308|",
};

const TSLA_EXECUTION: ExecutionMessage = {
  orderId: 13,
  contract: {
    conId: 76792991,
    symbol: "TSLA",
    secType: "STK",
    lastTradeDateOrContractMonth: "",
    strike: 0,
    right: "",
    multiplier: "",
    exchange: "ISLAND",
    currency: "USD",
    localSymbol: "TSLA",
    tradingClass: "NMS",
  },
  execId: "00025b46.63f8f39c.01.01",
  time: "20230224  12:04:56",
  account: "DU1234567",
  exchange: "ISLAND",
  side: "BOT",
  shares: "100",
  price: 196.52,
  permId: 1376327563,
  clientId: 100,
  liquidation: 0,
  cumQty: "100",
  avgPrice: 196.52,
  orderRef: "",
  evRule: "",
  evMultiplier: undefined,
  modelCode: "",
  lastLiquidity: 2,
  pendingPriceRevision: false,
};

describe("order message encoders", () => {
  it.each([176, 193])("write ORDER_STATUS as real TWS does at server version %i", (sv) => {
    const status = {
      orderId: 13,
      filled: "0",
      remaining: "100",
      avgFillPrice: 0,
      permId: 1376327563,
      parentId: 0,
      lastFillPrice: 0,
      clientId: 100,
      whyHeld: "",
      mktCapPrice: 0,
    };
    expect(fieldsOf(encodeOrderStatus(sv, { ...status, status: "PreSubmitted" })).join("|")).toBe(
      CAPTURED.preSubmitted,
    );
    const filled = {
      ...status,
      status: "Filled",
      filled: "100",
      remaining: "0",
      avgFillPrice: 196.52,
      lastFillPrice: 196.52,
    };
    expect(fieldsOf(encodeOrderStatus(sv, filled)).join("|")).toBe(CAPTURED.filled);
  });

  it("writes EXECUTION_DATA as real TWS does, with pendingPriceRevision from version 178", () => {
    expect(fieldsOf(encodeExecutionData(176, -1, TSLA_EXECUTION)).join("|")).toBe(CAPTURED.execution);
    expect(fieldsOf(encodeExecutionData(193, -1, TSLA_EXECUTION)).join("|")).toBe(`${CAPTURED.execution}|0`);
  });

  it("writes COMMISSION_REPORT with unset realized P&L and yield as real TWS does", () => {
    const report = {
      execId: "00025b46.63f8f39c.01.01",
      commission: 1,
      currency: "USD",
      realizedPnl: undefined,
      yield: undefined,
      yieldRedemptionDate: undefined,
    };
    expect(fieldsOf(encodeCommissionReport(193, report)).join("|")).toBe(CAPTURED.commission);
    expect(fieldsOf(encodeCommissionReport(176, { ...report, realizedPnl: -12.5 }))[5]).toBe("-12.5");
  });

  it("writes the end markers with their version fields", () => {
    expect(fieldsOf(encodeOpenOrderEnd(176))).toEqual(["53", "1"]);
    expect(fieldsOf(encodeCompletedOrdersEnd(193))).toEqual(["102"]);
    expect(fieldsOf(encodeExecutionDataEnd(193, 7))).toEqual(["55", "1", "7"]);
  });

  it("refuses server versions whose layouts it does not know", () => {
    expect(() => encodeOpenOrderEnd(175)).toThrow(InvariantError);
    expect(() => encodeOpenOrderEnd(194)).toThrow(InvariantError);
  });
});

describe("order request decoders", () => {
  // Fields after the message id, as @stoqey/ib 1.6.10 sent them (captured against the simulator).
  it("reads CANCEL_ORDER with its version field below 192 and the CME tagging fields from 192", () => {
    expect(decodeCancelOrder(new FieldReader(["1", "1001", ""]), 176)).toEqual({
      orderId: 1001,
      manualOrderCancelTime: "",
      extOperator: undefined,
      manualOrderIndicator: undefined,
    });
    expect(decodeCancelOrder(new FieldReader(["1001", "", "", "2147483647"]), 193)).toEqual({
      orderId: 1001,
      manualOrderCancelTime: "",
      extOperator: "",
      manualOrderIndicator: undefined,
    });
    const rfq = new FieldReader(["1", "1001", "", "", "", "2147483647"]);
    expect(decodeCancelOrder(rfq, 188).orderId).toBe(1001);
    expect(rfq.remaining).toBe(0);
  });

  it("reads REQ_GLOBAL_CANCEL in both layouts", () => {
    const old = new FieldReader(["1"]);
    decodeGlobalCancel(old, 176);
    const tagged = new FieldReader(["", "2147483647"]);
    decodeGlobalCancel(tagged, 193);
    expect([old.remaining, tagged.remaining]).toEqual([0, 0]);
  });

  it("reads a REQ_EXECUTIONS filter", () => {
    const fields = ["3", "9", "5", "DU1234567", "20240102-15:00:00", "AAPL", "STK", "ISLAND", "BUY"];
    expect(decodeExecutionFilter(new FieldReader(fields), 193)).toEqual({
      reqId: 9,
      clientId: 5,
      account: "DU1234567",
      time: "20240102-15:00:00",
      symbol: "AAPL",
      secType: "STK",
      exchange: "ISLAND",
      side: "BUY",
    });
  });
});
