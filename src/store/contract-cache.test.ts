import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TraderError } from "../core/errors.js";
import type { QualifiedContract } from "../model/qualified-contract.js";
import { MarketDataStore } from "./market-data-store.js";

function aContract(overrides: Partial<QualifiedContract> = {}): QualifiedContract {
  return {
    symbol: "SPY",
    conId: 756733,
    secType: "STK",
    exchange: "SMART",
    primaryExchange: "ARCA",
    currency: "USD",
    localSymbol: "SPY",
    longName: "SPDR S&P 500 ETF TRUST",
    minTick: 0.01,
    timeZoneId: "America/New_York",
    tradingHours: "20240102:0400-20240102:2000;20240103:CLOSED",
    liquidHours: "20240102:0930-20240102:1600;20240103:CLOSED",
    fetchedAtMs: Date.UTC(2024, 0, 2, 12),
    ...overrides,
  };
}

describe("ContractCache", () => {
  let store: MarketDataStore;

  beforeEach(() => {
    store = MarketDataStore.open(":memory:");
  });

  afterEach(() => {
    store.close();
  });

  it("returns a stored contract for its symbol in any case, frozen", () => {
    const contract = aContract();
    store.contracts.put(contract);
    const read = store.contracts.get("spy");
    expect(read).toEqual(contract);
    expect(Object.isFrozen(read)).toBe(true);
  });

  it("misses a symbol it has never stored", () => {
    expect(store.contracts.get("QQQ")).toBeUndefined();
    expect(store.contracts.lookup("QQQ")).toEqual({ type: "miss" });
  });

  it("replaces the stored contract when the same symbol is put again", () => {
    store.contracts.put(aContract());
    const refreshed = aContract({ fetchedAtMs: Date.UTC(2024, 0, 3, 12), longName: "SPDR S&P 500" });
    store.contracts.put(refreshed);
    expect(store.contracts.get("SPY")).toEqual(refreshed);
  });

  it("lists every stored contract in symbol order", () => {
    store.contracts.put(aContract({ symbol: "SPY" }));
    store.contracts.put(aContract({ symbol: "AAPL", conId: 265598 }));
    expect(store.contracts.all()).toEqual({
      contracts: [aContract({ symbol: "AAPL", conId: 265598 }), aContract({ symbol: "SPY" })],
      corruptRows: [],
    });
  });

  it("refuses to store a contract that would not read back", () => {
    expect(() => {
      store.contracts.put(aContract({ minTick: Number.NaN }));
    }).toThrow(expect.objectContaining({ code: "INVARIANT_BROKEN" }) as TraderError);
  });
});

describe("ContractCache with a corrupt row", () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ibkr-contract-cache-"));
    path = join(dir, "market-data.sqlite");
    const store = MarketDataStore.open(path);
    store.contracts.put(aContract({ symbol: "SPY" }));
    store.contracts.put(aContract({ symbol: "AAPL", conId: 265598 }));
    store.contracts.put(aContract({ symbol: "MSFT", conId: 272093 }));
    store.close();
    const writer = new Database(path);
    writer.prepare("UPDATE contracts SET contract_json = '{not json' WHERE symbol = 'SPY'").run();
    writer
      .prepare(
        `UPDATE contracts SET contract_json = json_remove(contract_json, '$.conId') WHERE symbol = 'AAPL'`,
      )
      .run();
    writer.close();
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("treats a row that is not JSON as a miss", () => {
    const store = MarketDataStore.open(path);
    try {
      expect(store.contracts.get("SPY")).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it("tells the caller why a row is corrupt so it can be logged", () => {
    const store = MarketDataStore.open(path);
    try {
      const lookup = store.contracts.lookup("AAPL");
      expect(lookup.type).toBe("corrupt");
      expect(lookup.type === "corrupt" && lookup.row.reason).toContain("conId");
    } finally {
      store.close();
    }
  });

  it("lists corrupt rows apart from the valid contracts", () => {
    const store = MarketDataStore.open(path);
    try {
      const contents = store.contracts.all();
      expect(contents.contracts.map((contract) => contract.symbol)).toEqual(["MSFT"]);
      expect(contents.corruptRows.map((row) => row.symbol)).toEqual(["AAPL", "SPY"]);
    } finally {
      store.close();
    }
  });
});
