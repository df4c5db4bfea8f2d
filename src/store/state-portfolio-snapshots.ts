import type { Decimal } from "decimal.js";
import { InvariantError } from "../core/errors.js";
import type { Migration, SqliteDatabase } from "./sqlite-database.js";
import { decimalFrom, decimalText, requireInteger } from "./state-store-codec.js";

/** One holding as saved: signed quantity (negative = short) and average cost per share. */
export interface PositionSnapshot {
  readonly symbol: string;
  readonly quantity: Decimal;
  readonly averageCost: Decimal;
}

/** Cash and every holding at one moment; the store keeps only the latest. */
export interface PortfolioSnapshot {
  readonly cash: Decimal;
  readonly positions: readonly PositionSnapshot[];
  readonly atMs: number;
}

/** Creates the latest-portfolio tables: one cash row and its positions. */
export const portfolioSnapshotsMigration: Migration = {
  description: "state store: portfolio, portfolio_positions",
  up: (db) => {
    db.exec(`
      CREATE TABLE portfolio (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        cash TEXT NOT NULL,
        at_ms INTEGER NOT NULL
      );
      CREATE TABLE portfolio_positions (
        symbol TEXT PRIMARY KEY,
        quantity TEXT NOT NULL,
        average_cost TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};

interface PositionRow {
  symbol: string;
  quantity: string;
  averageCost: string;
}

function prepareStatements(db: SqliteDatabase) {
  return {
    upsertCash: db.prepare<[cash: string, atMs: number]>(
      `INSERT INTO portfolio (id, cash, at_ms) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET cash = excluded.cash, at_ms = excluded.at_ms`,
    ),
    deletePositions: db.prepare("DELETE FROM portfolio_positions"),
    insertPosition: db.prepare<[symbol: string, quantity: string, averageCost: string]>(
      "INSERT INTO portfolio_positions (symbol, quantity, average_cost) VALUES (?, ?, ?)",
    ),
    selectCash: db.prepare<[], { cash: string; atMs: number }>("SELECT cash, at_ms AS atMs FROM portfolio"),
    selectPositions: db.prepare<[], PositionRow>(
      "SELECT symbol, quantity, average_cost AS averageCost FROM portfolio_positions ORDER BY symbol",
    ),
  };
}

/** The latest portfolio snapshot, replaced whole on every save. Runs inside the StateStore's transactions. */
export class PortfolioSnapshots {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(db: SqliteDatabase) {
    this.sql = prepareStatements(db);
  }

  save(snapshot: PortfolioSnapshot): void {
    const symbols = new Set<string>();
    for (const { symbol } of snapshot.positions) {
      if (symbols.has(symbol)) throw new InvariantError(`state store: the portfolio lists ${symbol} twice`);
      symbols.add(symbol);
    }
    this.sql.upsertCash.run(
      decimalText(snapshot.cash, "cash"),
      requireInteger(snapshot.atMs, "portfolio time"),
    );
    this.sql.deletePositions.run();
    for (const position of snapshot.positions) {
      this.sql.insertPosition.run(
        position.symbol,
        decimalText(position.quantity, `quantity of ${position.symbol}`),
        decimalText(position.averageCost, `average cost of ${position.symbol}`),
      );
    }
  }

  /** The latest snapshot, positions in symbol order; undefined before the first save. */
  load(): PortfolioSnapshot | undefined {
    const cash = this.sql.selectCash.get();
    if (cash === undefined) return undefined;
    const positions = this.sql.selectPositions.all().map((row) =>
      Object.freeze({
        symbol: row.symbol,
        quantity: decimalFrom(row.quantity),
        averageCost: decimalFrom(row.averageCost),
      }),
    );
    return Object.freeze({
      cash: decimalFrom(cash.cash),
      positions: Object.freeze(positions),
      atMs: cash.atMs,
    });
  }
}
