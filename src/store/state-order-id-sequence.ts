import { InvariantError } from "../core/errors.js";
import type { Migration, SqliteDatabase } from "./sqlite-database.js";
import { requireInteger } from "./state-store-codec.js";

/** Creates the one-row table holding the highest IB order id ever reserved or sent. */
export const orderIdSequenceMigration: Migration = {
  description: "state store: order_ids",
  up: (db) => {
    db.exec(`
      CREATE TABLE order_ids (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_used INTEGER NOT NULL
      );
    `);
  },
};

function prepareStatements(db: SqliteDatabase) {
  return {
    lastUsed: db.prepare<[], number>("SELECT last_used FROM order_ids WHERE id = 1").pluck(),
    raise: db.prepare<[orderId: number]>(
      `INSERT INTO order_ids (id, last_used) VALUES (1, ?)
       ON CONFLICT (id) DO UPDATE SET last_used = max(last_used, excluded.last_used)`,
    ),
  };
}

/**
 * IB order ids that only ever increase: IB answers 103 to a reused id, and a Gateway restart can hand out
 * an old nextValidId (ibkr-facts.md §5.2). Runs inside the StateStore's transactions.
 */
export class OrderIdSequence {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(db: SqliteDatabase) {
    this.sql = prepareStatements(db);
  }

  /** max(candidate, last used + 1), recorded as used. */
  reserve(candidate: number): number {
    requireInteger(candidate, "candidate order id", 1);
    const last = this.sql.lastUsed.get();
    const orderId = last === undefined ? candidate : Math.max(candidate, last + 1);
    if (!Number.isSafeInteger(orderId)) throw new InvariantError("state store: IB order ids are exhausted");
    this.sql.raise.run(orderId);
    return orderId;
  }

  /** Records an id as used (no-op when a higher one is), so it is never handed out again. */
  noteUsed(orderId: number): void {
    this.sql.raise.run(requireInteger(orderId, "IB order id", 1));
  }

  lastUsed(): number | undefined {
    return this.sql.lastUsed.get();
  }
}
