import { InvariantError } from "../core/errors.js";
import type { OrderIntent, OrderSide, OrderType, TimeInForce } from "../model/order.js";
import type { Migration, SqliteDatabase } from "./sqlite-database.js";
import { decimalFrom, decimalText, numberText, optional, requireInteger } from "./state-store-codec.js";

/** Where an intent is: written before sending, sent with an IB order id, acknowledged with a permId, or done. */
export type IntentStatus = "written" | "sent" | "acknowledged" | "filled" | "cancelled" | "rejected";

/** How an intent ended; `code` is the IB error code when IB gave one (e.g. 201 rejected, 202 cancelled). */
export type IntentOutcome =
  | { readonly status: "filled" }
  | { readonly status: "cancelled"; readonly code?: number; readonly reason?: string }
  | { readonly status: "rejected"; readonly code?: number; readonly reason: string };

/** An intent with where it is in its lifecycle and what IB said about it. */
export interface StoredIntent {
  readonly intent: OrderIntent;
  readonly status: IntentStatus;
  readonly ibOrderId?: number;
  readonly sentAtMs?: number;
  readonly permId?: number;
  readonly acknowledgedAtMs?: number;
  readonly endedAtMs?: number;
  readonly endCode?: number;
  readonly endReason?: string;
}

/** Creates the intents table; the intent id is the IB orderRef. */
export const intentJournalMigration: Migration = {
  description: "state store: intents",
  up: (db) => {
    db.exec(`
      CREATE TABLE intents (
        intent_id TEXT PRIMARY KEY,
        strategy TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
        quantity TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('MARKET', 'LIMIT', 'STOP')),
        limit_price TEXT,
        stop_price TEXT,
        time_in_force TEXT NOT NULL CHECK (time_in_force IN ('DAY', 'GTC')),
        created_at_ms INTEGER NOT NULL,
        reason TEXT,
        status TEXT NOT NULL
          CHECK (status IN ('written', 'sent', 'acknowledged', 'filled', 'cancelled', 'rejected')),
        ib_order_id INTEGER UNIQUE,
        sent_at_ms INTEGER,
        perm_id INTEGER,
        acknowledged_at_ms INTEGER,
        ended_at_ms INTEGER,
        end_code INTEGER,
        end_reason TEXT
      ) WITHOUT ROWID;
      CREATE INDEX intents_unresolved ON intents (created_at_ms)
        WHERE status IN ('written', 'sent', 'acknowledged');
    `);
  },
};

interface IntentRow {
  intentId: string;
  strategy: string;
  symbol: string;
  side: OrderSide;
  quantity: string;
  type: OrderType;
  limitPrice: string | null;
  stopPrice: string | null;
  timeInForce: TimeInForce;
  createdAtMs: number;
  reason: string | null;
  status: IntentStatus;
  ibOrderId: number | null;
  sentAtMs: number | null;
  permId: number | null;
  acknowledgedAtMs: number | null;
  endedAtMs: number | null;
  endCode: number | null;
  endReason: string | null;
}

const SELECT_INTENT = `SELECT intent_id AS intentId, strategy, symbol, side, quantity, type,
  limit_price AS limitPrice, stop_price AS stopPrice, time_in_force AS timeInForce,
  created_at_ms AS createdAtMs, reason, status, ib_order_id AS ibOrderId, sent_at_ms AS sentAtMs,
  perm_id AS permId, acknowledged_at_ms AS acknowledgedAtMs, ended_at_ms AS endedAtMs,
  end_code AS endCode, end_reason AS endReason FROM intents`;

function prepareStatements(db: SqliteDatabase) {
  return {
    insert: db.prepare(
      `INSERT INTO intents (intent_id, strategy, symbol, side, quantity, type, limit_price, stop_price,
         time_in_force, created_at_ms, reason, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'written') ON CONFLICT (intent_id) DO NOTHING`,
    ),
    byId: db.prepare<[intentId: string], IntentRow>(`${SELECT_INTENT} WHERE intent_id = ?`),
    byIbOrderId: db.prepare<[ibOrderId: number], IntentRow>(`${SELECT_INTENT} WHERE ib_order_id = ?`),
    unresolved: db.prepare<[], IntentRow>(
      `${SELECT_INTENT} WHERE status IN ('written', 'sent', 'acknowledged') ORDER BY created_at_ms, intent_id`,
    ),
    markSent: db.prepare<[ibOrderId: number, atMs: number, intentId: string]>(
      "UPDATE intents SET status = 'sent', ib_order_id = ?, sent_at_ms = ? WHERE intent_id = ?",
    ),
    markNeverSent: db.prepare<[intentId: string]>(
      "UPDATE intents SET status = 'written', ib_order_id = NULL, sent_at_ms = NULL WHERE intent_id = ?",
    ),
    markAcknowledged: db.prepare<[status: IntentStatus, permId: number, atMs: number, intentId: string]>(
      "UPDATE intents SET status = ?, perm_id = ?, acknowledged_at_ms = ? WHERE intent_id = ?",
    ),
    markTerminal: db.prepare<
      [status: IntentStatus, atMs: number, code: number | null, reason: string | null, intentId: string]
    >("UPDATE intents SET status = ?, ended_at_ms = ?, end_code = ?, end_reason = ? WHERE intent_id = ?"),
  };
}

/**
 * The intents table and the rules of an intent's lifecycle: written → sent → acknowledged → filled,
 * cancelled or rejected (an unsent intent may only be cancelled or rejected). A step repeated with the same
 * value is a duplicate IB message and changes nothing; any other step is a bug and throws InvariantError.
 * Runs inside the StateStore's transactions.
 */
export class IntentJournal {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(db: SqliteDatabase) {
    this.sql = prepareStatements(db);
  }

  record(intent: OrderIntent): void {
    const inserted = this.sql.insert.run(
      intent.intentId,
      intent.strategy,
      intent.symbol,
      intent.side,
      decimalText(intent.quantity, `quantity of intent ${intent.intentId}`),
      intent.type,
      intent.limitPrice === undefined ? null : numberText(intent.limitPrice, "limit price"),
      intent.stopPrice === undefined ? null : numberText(intent.stopPrice, "stop price"),
      intent.timeInForce,
      requireInteger(intent.createdAt, "intent creation time"),
      intent.reason ?? null,
    );
    if (inserted.changes === 0) {
      throw new InvariantError(
        `state store: intent ${intent.intentId} is already recorded; intent ids are unique`,
      );
    }
  }

  get(intentId: string): StoredIntent | undefined {
    const row = this.sql.byId.get(intentId);
    return row === undefined ? undefined : toStoredIntent(row);
  }

  byIbOrderId(ibOrderId: number): StoredIntent | undefined {
    const row = this.sql.byIbOrderId.get(ibOrderId);
    return row === undefined ? undefined : toStoredIntent(row);
  }

  unresolved(): StoredIntent[] {
    return this.sql.unresolved.all().map(toStoredIntent);
  }

  /** written → sent; false when the intent was already sent with this IB order id. */
  markSent(intentId: string, ibOrderId: number, atMs: number): boolean {
    requireInteger(ibOrderId, "IB order id", 1);
    requireInteger(atMs, "sent time");
    const row = this.existing(intentId);
    if (row.status !== "written") {
      if (row.ibOrderId === ibOrderId) return false;
      throw refused(row, `sent as IB order ${ibOrderId}`);
    }
    const holder = this.sql.byIbOrderId.get(ibOrderId);
    if (holder !== undefined) {
      // IB would answer 103 (duplicate order id); reserveOrderId exists so that this never happens.
      throw new InvariantError(
        `state store: intent ${intentId} cannot be sent as IB order ${ibOrderId}: intent ${holder.intentId} was`,
      );
    }
    this.sql.markSent.run(ibOrderId, atMs, intentId);
    return true;
  }

  /**
   * sent → written, when reconciliation found that IB has no trace of the order (it never left the process
   * before a crash): it may then be sent again under a new IB order id. The old id stays used. False when the
   * intent is already written; refused once IB acknowledged it or it ended.
   */
  markNeverSent(intentId: string): boolean {
    const row = this.existing(intentId);
    if (row.status === "written") return false;
    if (row.status !== "sent" || row.permId !== null) throw refused(row, "marked as never sent");
    this.sql.markNeverSent.run(intentId);
    return true;
  }

  /**
   * sent → acknowledged; false when it already has this permId. An intent that ended before its permId was
   * seen (IB can report the end before the open order) keeps its status and gains the permId.
   */
  markAcknowledged(intentId: string, permId: number, atMs: number): boolean {
    requireInteger(permId, "permId", 1);
    requireInteger(atMs, "acknowledgement time");
    const row = this.existing(intentId);
    if (row.permId === permId) return false;
    if (row.status === "sent") {
      this.sql.markAcknowledged.run("acknowledged", permId, atMs, intentId);
      return true;
    }
    if (isEnded(row.status) && row.ibOrderId !== null && row.permId === null) {
      this.sql.markAcknowledged.run(row.status, permId, atMs, intentId);
      return false;
    }
    throw refused(row, `acknowledged with permId ${permId}`);
  }

  /** sent or acknowledged (or, never sent, written) → an outcome; false when it already has this outcome. */
  markTerminal(intentId: string, outcome: IntentOutcome, atMs: number): boolean {
    requireInteger(atMs, "end time");
    const row = this.existing(intentId);
    if (row.status === outcome.status) return false;
    if (isEnded(row.status) || (row.status === "written" && outcome.status === "filled")) {
      throw refused(row, outcome.status);
    }
    const code = outcome.status === "filled" ? null : (outcome.code ?? null);
    const reason = outcome.status === "filled" ? null : (outcome.reason ?? null);
    if (code !== null) requireInteger(code, "IB error code", Number.MIN_SAFE_INTEGER);
    this.sql.markTerminal.run(outcome.status, atMs, code, reason, intentId);
    return true;
  }

  private existing(intentId: string): IntentRow {
    const row = this.sql.byId.get(intentId);
    if (row === undefined) throw new InvariantError(`state store: intent ${intentId} was never recorded`);
    return row;
  }
}

function isEnded(status: IntentStatus): boolean {
  return status === "filled" || status === "cancelled" || status === "rejected";
}

function refused(row: IntentRow, step: string): InvariantError {
  const ids = [
    row.ibOrderId === null ? "" : `IB order ${row.ibOrderId}`,
    row.permId === null ? "" : `permId ${row.permId}`,
  ].filter((text) => text !== "");
  const held = ids.length === 0 ? "" : ` (${ids.join(", ")})`;
  return new InvariantError(
    `state store: intent ${row.intentId} cannot be ${step}: it is ${row.status}${held}`,
  );
}

function toStoredIntent(row: IntentRow): StoredIntent {
  const intent: OrderIntent = Object.freeze({
    intentId: row.intentId,
    strategy: row.strategy,
    symbol: row.symbol,
    side: row.side,
    quantity: decimalFrom(row.quantity),
    type: row.type,
    ...optional("limitPrice", row.limitPrice === null ? null : Number(row.limitPrice)),
    ...optional("stopPrice", row.stopPrice === null ? null : Number(row.stopPrice)),
    timeInForce: row.timeInForce,
    createdAt: row.createdAtMs,
    ...optional("reason", row.reason),
  });
  return Object.freeze({
    intent,
    status: row.status,
    ...optional("ibOrderId", row.ibOrderId),
    ...optional("sentAtMs", row.sentAtMs),
    ...optional("permId", row.permId),
    ...optional("acknowledgedAtMs", row.acknowledgedAtMs),
    ...optional("endedAtMs", row.endedAtMs),
    ...optional("endCode", row.endCode),
    ...optional("endReason", row.endReason),
  });
}
