import { Decimal } from "decimal.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvariantError } from "../core/errors.js";
import type { Fill } from "../model/fill.js";
import { parseExecId } from "./state-fill-journal.js";
import { StateStore } from "./state-store.js";

const T0 = Date.UTC(2025, 3, 15, 14, 30);
const EXEC = "0000e0d5.67fe667b.01.01";

const aFill = (overrides: Partial<Fill> = {}): Fill => ({
  fillId: EXEC,
  orderId: "sma-20250415-0001",
  symbol: "SPY",
  side: "BUY",
  quantity: new Decimal("10"),
  price: new Decimal("512.37"),
  commission: new Decimal("0"),
  time: T0,
  ...overrides,
});

describe("StateStore fills", () => {
  let store: StateStore;

  beforeEach(() => {
    store = StateStore.open(":memory:", { mode: "paper", account: "DU1234567" });
  });

  afterEach(() => {
    store.close();
  });

  it("reads back every field of a fill exactly, with IB's order ids", () => {
    const fill = aFill({
      side: "SELL",
      quantity: new Decimal("3.000000001"),
      price: new Decimal("512.123456789012345678"),
      commission: new Decimal("-0.35"),
    });
    expect(store.recordFill(fill, { ibOrderId: 101, permId: 987654321 })).toBe(true);
    expect(store.fill(EXEC)).toEqual({ fill, commissionReported: false, ibOrderId: 101, permId: 987654321 });
    expect(store.fill(EXEC)?.fill.price.toFixed()).toBe("512.123456789012345678");
  });

  it("stores a replayed execution once and answers false the second time", () => {
    expect(store.recordFill(aFill())).toBe(true);
    expect(store.recordFill(aFill({ price: new Decimal("999") }))).toBe(false);
    expect(store.fillsSince(0)).toHaveLength(1);
    expect(store.fill(EXEC)?.fill.price.toFixed()).toBe("512.37");
  });

  it("applies a commission report that arrives after its execution", () => {
    store.recordFill(aFill());
    expect(store.recordCommission(EXEC, new Decimal("1.0000005"))).toBe(true);
    const stored = store.fill(EXEC);
    expect(stored?.fill.commission.toFixed()).toBe("1.0000005");
    expect(stored?.commissionReported).toBe(true);
  });

  it("keeps a commission report that arrives first and applies it when the execution is stored", () => {
    expect(store.recordCommission(EXEC, new Decimal("0.35"))).toBe(false);
    expect(store.fill(EXEC)).toBeUndefined();
    store.recordFill(aFill());
    expect(store.fill(EXEC)).toMatchObject({ commissionReported: true });
    expect(store.fill(EXEC)?.fill.commission.toFixed()).toBe("0.35");
  });

  it("stores a correction beside the execution it corrects and links the two", () => {
    store.recordFill(aFill());
    const correction = aFill({
      fillId: "0000e0d5.67fe667b.01.02",
      price: new Decimal("512.36"),
      time: T0 + 5,
    });
    expect(store.recordFill(correction)).toBe(true);
    expect(store.fillsSince(0).map((f) => [f.fill.fillId, f.corrects, f.correctedBy])).toEqual([
      [EXEC, undefined, "0000e0d5.67fe667b.01.02"],
      ["0000e0d5.67fe667b.01.02", EXEC, undefined],
    ]);
  });

  it("links a correction to the original even when the original arrives after it", () => {
    store.recordFill(aFill({ fillId: "0000e0d5.67fe667b.01.02" }));
    store.recordFill(aFill());
    expect(store.fill(EXEC)?.correctedBy).toBe("0000e0d5.67fe667b.01.02");
  });

  it("does not link partial fills of one order, which differ before the last segment", () => {
    store.recordFill(aFill());
    store.recordFill(aFill({ fillId: "0000e0d5.67fe667b.02.01" }));
    expect(store.fillsSince(0).every((f) => f.corrects === undefined && f.correctedBy === undefined)).toBe(
      true,
    );
  });

  it("returns the fills since a time, oldest first, and the time of the last one", () => {
    expect(store.lastFillTime()).toBeUndefined();
    store.recordFill(aFill({ fillId: "a.01", time: T0 + 20 }));
    store.recordFill(aFill({ fillId: "b.01", time: T0 }));
    store.recordFill(aFill({ fillId: "c.01", time: T0 + 10 }));
    expect(store.fillsSince(T0 + 10).map((f) => f.fill.fillId)).toEqual(["c.01", "a.01"]);
    expect(store.lastFillTime()).toBe(T0 + 20);
  });

  it("refuses a fill with a non-finite price and stores nothing", () => {
    expect(() => store.recordFill(aFill({ price: new Decimal(Infinity) }))).toThrow(InvariantError);
    expect(store.fill(EXEC)).toBeUndefined();
  });
});

describe("parseExecId", () => {
  it("splits off the last segment as a hex revision", () => {
    expect(parseExecId("0000e0d5.67fe667b.01.0a")).toEqual({ base: "0000e0d5.67fe667b.01", revision: 10 });
  });

  it("keeps a combo leg's fifth segment in the base", () => {
    expect(parseExecId("0000e0d5.67fe667b.01.01.02").base).toBe("0000e0d5.67fe667b.01.01");
  });

  it("gives no base to an id that cannot take part in a correction", () => {
    expect(parseExecId("plain")).toEqual({ base: null, revision: 0 });
    expect(parseExecId("abc.xyz")).toEqual({ base: null, revision: 0 });
  });
});
