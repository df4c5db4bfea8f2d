import { BarCache, barCacheMigration } from "./bar-cache.js";
import { ContractCache, contractCacheMigration } from "./contract-cache.js";
import { openSqliteDatabase, type Migration, type SqliteDatabase } from "./sqlite-database.js";

/** The market data file's schema steps, oldest first: append, never edit or reorder. */
export const MARKET_DATA_MIGRATIONS: readonly Migration[] = [barCacheMigration, contractCacheMigration];

/**
 * The one SQLite file (`<DATA_DIR>/market-data.sqlite`) that caches what IB told us about markets:
 * historical bars with their fetched ranges, and qualified contracts.
 */
export class MarketDataStore {
  readonly bars: BarCache;
  readonly contracts: ContractCache;

  private constructor(
    private readonly db: SqliteDatabase,
    readonly path: string,
  ) {
    this.bars = new BarCache(db, path);
    this.contracts = new ContractCache(db, path);
  }

  /**
   * Opens (creating it and its directory if needed) the file at `path`, or an in-memory store for
   * ":memory:". Throws TraderError STORE_FAILED when the file cannot be opened or migrated.
   */
  static open(path: string): MarketDataStore {
    const db = openSqliteDatabase(path, {
      label: "market data cache",
      migrations: MARKET_DATA_MIGRATIONS,
      synchronous: "NORMAL",
      fix: "check DATA_DIR exists or can be created and is writable",
    });
    return new MarketDataStore(db, path);
  }

  /** Closes the file; the caches must not be used afterwards. */
  close(): void {
    this.db.close();
  }
}
