import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Decimal } from "decimal.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvariantError, TraderError } from "../core/errors.js";
import type { OrderIntent } from "../model/order.js";
import { StateStore, type StateOwner } from "./state-store.js";

const PAPER: StateOwner = { mode: "paper", account: "DU1234567" };
const T0 = Date.UTC(2025, 3, 15, 14, 30);

const anIntent = (overrides: Partial<OrderIntent> = {}): OrderIntent => ({
  intentId: "sma-20250415-0001",
  strategy: "sma-cross",
  symbol: "SPY",
  side: "BUY",
  quantity: new Decimal("10"),
  type: "MARKET",
  timeInForce: "DAY",
  createdAt: T0,
  ...overrides,
});

function thrownBy(action: () => unknown): TraderError {
  try {
    action();
  } catch (error) {
    if (error instanceof TraderError) return error;
    throw error;
  }
  throw new Error("expected a TraderError, nothing was thrown");
}

describe("StateStore", () => {
  let dir: string;
  let path: string;
  const opened: StateStore[] = [];
  const open = (owner: StateOwner = PAPER): StateStore => {
    const store = StateStore.open(path, owner);
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "state-store-"));
    path = join(dir, "state", "paper.sqlite");
  });

  afterEach(() => {
    for (const store of opened.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates the file in WAL mode with synchronous FULL and stamps it with its mode and account", () => {
    const store = open();
    store.close();
    opened.length = 0;
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.prepare("SELECT key, value FROM meta ORDER BY key").all()).toEqual([
        { key: "account", value: "DU1234567" },
        { key: "mode", value: "paper" },
      ]);
    } finally {
      db.close();
    }
    expect(open().owner).toEqual(PAPER);
  });

  it("refuses a file that belongs to the other mode, with a one-line fix", () => {
    open().close();
    opened.length = 0;
    const error = thrownBy(() => open({ mode: "live", account: "DU1234567" }));
    expect(error.code).toBe("STORE_FAILED");
    expect(error.message).toContain(
      "it belongs to the paper account DU***567, not the live account DU***567",
    );
    expect(error.message).toMatch(/\(fix: .+\)$/);
    expect(error.message).not.toContain("\n");
  });

  it("refuses a file that belongs to another account and never prints a full account id", () => {
    open().close();
    opened.length = 0;
    const error = thrownBy(() => open({ mode: "paper", account: "DU7654321" }));
    expect(error.code).toBe("STORE_FAILED");
    expect(error.message).not.toMatch(/DU1234567|DU7654321/);
  });

  it("accepts the same account written in another case or with spaces", () => {
    open().close();
    opened.length = 0;
    expect(open({ mode: "paper", account: " du1234567 " }).owner.account).toBe("DU1234567");
  });

  it("refuses an empty account id", () => {
    expect(() => open({ mode: "paper", account: "  " })).toThrow(InvariantError);
  });

  it("round-trips meta values and refuses to overwrite the owner through setMeta", () => {
    const store = open();
    store.setMeta("last-reconciled-ms", "1744727400000");
    store.setMeta("last-reconciled-ms", "1744727460000");
    expect(store.getMeta("last-reconciled-ms")).toBe("1744727460000");
    expect(store.getMeta("absent")).toBeUndefined();
    expect(store.getMeta("mode")).toBe("paper");
    expect(() => {
      store.setMeta("account", "DU7654321");
    }).toThrow(InvariantError);
  });

  it("reserves the candidate order id on a new file, then max(candidate, last used + 1)", () => {
    const store = open();
    expect(store.lastOrderId()).toBeUndefined();
    expect(store.reserveOrderId(100)).toBe(100);
    expect(store.reserveOrderId(100)).toBe(101);
    expect(store.reserveOrderId(50)).toBe(102);
    expect(store.reserveOrderId(500)).toBe(500);
    expect(store.lastOrderId()).toBe(500);
  });

  it("never hands out a lower order id after a reopen, even when the Gateway's nextValidId went back", () => {
    const first = open();
    expect(first.reserveOrderId(1000)).toBe(1000);
    first.close();
    opened.length = 0;
    expect(open().reserveOrderId(1)).toBe(1001);
  });

  it("counts an IB order id marked as sent as used, even when it was not reserved", () => {
    const store = open();
    store.recordIntent(anIntent());
    store.markSent("sma-20250415-0001", 70, T0 + 1);
    expect(store.reserveOrderId(1)).toBe(71);
  });

  it("refuses an order id candidate that is not a positive integer", () => {
    const store = open();
    expect(() => store.reserveOrderId(0)).toThrow(InvariantError);
    expect(() => store.reserveOrderId(1.5)).toThrow(InvariantError);
    expect(store.lastOrderId()).toBeUndefined();
  });

  it("saves and loads the portfolio exactly, replacing the previous snapshot whole", () => {
    const store = open();
    expect(store.loadPortfolio()).toBeUndefined();
    store.savePortfolio({
      cash: new Decimal("1"),
      positions: [{ symbol: "QQQ", quantity: new Decimal("1"), averageCost: new Decimal("1") }],
      atMs: T0,
    });
    const snapshot = {
      cash: new Decimal("98765.123456789012345678901"),
      positions: [
        { symbol: "SPY", quantity: new Decimal("-12.5"), averageCost: new Decimal("512.3300000001") },
        { symbol: "AAPL", quantity: new Decimal("0.0000001"), averageCost: new Decimal("1e21") },
      ],
      atMs: T0 + 60_000,
    };
    store.savePortfolio(snapshot);
    const loaded = store.loadPortfolio();
    expect(loaded?.atMs).toBe(T0 + 60_000);
    expect(loaded?.cash.toFixed()).toBe("98765.123456789012345678901");
    expect(loaded?.positions.map((p) => [p.symbol, p.quantity.toFixed(), p.averageCost.toFixed()])).toEqual([
      ["AAPL", "0.0000001", "1000000000000000000000"],
      ["SPY", "-12.5", "512.3300000001"],
    ]);
  });

  it("refuses a portfolio that lists a symbol twice and keeps the previous one", () => {
    const store = open();
    const spy = { symbol: "SPY", quantity: new Decimal("1"), averageCost: new Decimal("500") };
    store.savePortfolio({ cash: new Decimal("100"), positions: [spy], atMs: T0 });
    expect(() => {
      store.savePortfolio({ cash: new Decimal("0"), positions: [spy, spy], atMs: T0 + 1 });
    }).toThrow(InvariantError);
    expect(store.loadPortfolio()?.cash.toFixed()).toBe("100");
  });

  it("refuses a non-finite amount and writes nothing of that call", () => {
    const store = open();
    expect(() => {
      store.savePortfolio({
        cash: new Decimal("5"),
        positions: [{ symbol: "SPY", quantity: new Decimal(NaN), averageCost: new Decimal("1") }],
        atMs: T0,
      });
    }).toThrow(InvariantError);
    expect(store.loadPortfolio()).toBeUndefined();
  });

  it("records equity from both sources and returns the points since a time, oldest first", () => {
    const store = open();
    store.recordEquity(T0, new Decimal("100000.01"), "ours");
    store.recordEquity(T0, new Decimal("100000.02"), "ib");
    store.recordEquity(T0 + 60_000, new Decimal("100010.5"), "ours");
    store.recordEquity(T0 + 60_000, new Decimal("100010.55"), "ours");
    const points = store.equitySince(T0 + 1);
    expect(points.map((p) => [p.atMs, p.equity.toFixed(), p.source])).toEqual([
      [T0 + 60_000, "100010.55", "ours"],
    ]);
    expect(store.equitySince(T0).map((p) => p.source)).toEqual(["ib", "ours", "ours"]);
  });

  it("keeps everything across a close and reopen", () => {
    const store = open();
    store.setMeta("strategy", "sma-cross");
    store.reserveOrderId(42);
    store.recordIntent(anIntent({ type: "LIMIT", limitPrice: 512.37, reason: "golden cross" }));
    store.markSent("sma-20250415-0001", 42, T0 + 5);
    store.recordFill(
      {
        fillId: "0000e0d5.67fe667b.01.01",
        orderId: "sma-20250415-0001",
        symbol: "SPY",
        side: "BUY",
        quantity: new Decimal("10"),
        price: new Decimal("512.37"),
        commission: new Decimal("0"),
        time: T0 + 9,
      },
      { ibOrderId: 42, permId: 987654321 },
    );
    store.recordCommission("0000e0d5.67fe667b.01.01", new Decimal("1.0000005"));
    store.savePortfolio({ cash: new Decimal("-5123.7"), positions: [], atMs: T0 + 10 });
    store.recordEquity(T0 + 10, new Decimal("99998.9999995"), "ours");
    store.close();
    opened.length = 0;

    const reopened = open();
    expect(reopened.getMeta("strategy")).toBe("sma-cross");
    expect(reopened.lastOrderId()).toBe(42);
    expect(reopened.intent("sma-20250415-0001")).toMatchObject({ status: "sent", ibOrderId: 42 });
    expect(reopened.intent("sma-20250415-0001")?.intent.limitPrice).toBe(512.37);
    const fill = reopened.fill("0000e0d5.67fe667b.01.01");
    expect(fill?.fill.commission.toFixed()).toBe("1.0000005");
    expect(fill?.permId).toBe(987654321);
    expect(reopened.lastFillTime()).toBe(T0 + 9);
    expect(reopened.loadPortfolio()?.cash.toFixed()).toBe("-5123.7");
    expect(reopened.equitySince(0)[0]?.equity.toFixed()).toBe("99998.9999995");
  });

  it("has an intent on disk as soon as recordIntent returns, with the writer never closed (a crash)", () => {
    const crashed = StateStore.open(path, PAPER);
    crashed.recordIntent(anIntent());
    const survivor = open();
    expect(survivor.unresolvedIntents().map((stored) => stored.intent)).toEqual([anIntent()]);
    crashed.close();
  });

  it("reports a path it cannot create as STORE_FAILED", () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "not a directory");
    const error = thrownBy(() => StateStore.open(join(blocker, "state.sqlite"), PAPER));
    expect(error.code).toBe("STORE_FAILED");
  });
});
