import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TraderError } from "../core/errors.js";
import { MARKET_DATA_MIGRATIONS, MarketDataStore } from "./market-data-store.js";

describe("MarketDataStore", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ibkr-market-data-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates the file in WAL mode at the latest schema version", () => {
    const path = join(dir, "data", "market-data.sqlite");
    MarketDataStore.open(path).close();
    const reader = new Database(path, { readonly: true });
    try {
      expect(reader.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(reader.pragma("user_version", { simple: true })).toBe(MARKET_DATA_MIGRATIONS.length);
    } finally {
      reader.close();
    }
  });

  it("works in memory", () => {
    const store = MarketDataStore.open(":memory:");
    try {
      expect(store.bars.stats()).toEqual({ seriesCount: 0, barCount: 0 });
      expect(store.contracts.all()).toEqual({ contracts: [], corruptRows: [] });
    } finally {
      store.close();
    }
  });

  it("throws STORE_FAILED naming the path and a fix when its directory cannot be created", () => {
    writeFileSync(join(dir, "data"), "a file where the directory should be");
    const path = join(dir, "data", "market-data.sqlite");
    let thrown: unknown;
    try {
      MarketDataStore.open(path).close();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TraderError);
    const error = thrown as TraderError;
    expect(error.code).toBe("STORE_FAILED");
    expect(error.message.startsWith(`cannot open market data cache ${path}: EEXIST`)).toBe(true);
    expect(error.message.endsWith("(fix: check DATA_DIR exists or can be created and is writable)")).toBe(
      true,
    );
    expect(error.message).not.toContain("\n");
  });
});
