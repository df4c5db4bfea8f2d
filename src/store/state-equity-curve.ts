import type { Decimal } from "decimal.js";
import type { Migration, SqliteDatabase } from "./sqlite-database.js";
import { decimalFrom, decimalText, requireInteger } from "./state-store-codec.js";

/** Who computed an equity value: our own portfolio, or IB's account summary (NetLiquidation). */
export type EquitySource = "ours" | "ib";

/** Account equity at one moment, from one source. */
export interface EquityPoint {
  readonly atMs: number;
  readonly equity: Decimal;
  readonly source: EquitySource;
}

/** Creates the equity table: one value per moment and source. */
export const equityCurveMigration: Migration = {
  description: "state store: equity",
  up: (db) => {
    db.exec(`
      CREATE TABLE equity (
        at_ms INTEGER NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('ours', 'ib')),
        equity TEXT NOT NULL,
        PRIMARY KEY (at_ms, source)
      ) WITHOUT ROWID;
    `);
  },
};

function prepareStatements(db: SqliteDatabase) {
  return {
    upsert: db.prepare<[atMs: number, source: EquitySource, equity: string]>(
      `INSERT INTO equity (at_ms, source, equity) VALUES (?, ?, ?)
       ON CONFLICT (at_ms, source) DO UPDATE SET equity = excluded.equity`,
    ),
    since: db.prepare<[fromMs: number], { atMs: number; equity: string; source: EquitySource }>(
      "SELECT at_ms AS atMs, equity, source FROM equity WHERE at_ms >= ? ORDER BY at_ms, source",
    ),
  };
}

/**
 * Equity snapshots over time from both sources, so ours can be compared with IB's. A second value for the
 * same moment and source replaces the first. Runs inside the StateStore's transactions.
 */
export class EquityCurve {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(db: SqliteDatabase) {
    this.sql = prepareStatements(db);
  }

  record(atMs: number, equity: Decimal, source: EquitySource): void {
    this.sql.upsert.run(requireInteger(atMs, "equity time"), source, decimalText(equity, `${source} equity`));
  }

  since(fromMs: number): EquityPoint[] {
    return this.sql.since
      .all(fromMs)
      .map((row) => Object.freeze({ atMs: row.atMs, equity: decimalFrom(row.equity), source: row.source }));
  }
}
