import type { Decimal } from "decimal.js";
import type { Fill } from "../model/fill.js";
import type { OrderSide } from "../model/order.js";
import type { Migration, SqliteDatabase } from "./sqlite-database.js";
import { decimalFrom, decimalText, optional, requireInteger } from "./state-store-codec.js";

/** IB's ids for the order a fill belongs to, when the execution carried them. */
export interface FillOrderIds {
  readonly ibOrderId?: number;
  readonly permId?: number;
  /** True when `fill.commission` is the venue's final commission (IB's report, or the simulator's fee). */
  readonly commissionReported?: boolean;
}

/**
 * A stored execution. A correction (same execId up to the last segment, a higher last segment) supersedes
 * the executions it corrects: apply `fill` and undo the fill named in `corrects`, and skip any fill that has
 * `correctedBy`.
 */
export interface StoredFill extends FillOrderIds {
  readonly fill: Fill;
  /** False until IB's commission report for this execId arrived; `fill.commission` is then the reported one. */
  readonly commissionReported: boolean;
  /** The execId this execution replaces: the highest lower revision of the same execution stored. */
  readonly corrects?: string;
  /** The execId of the latest correction of this execution. */
  readonly correctedBy?: string;
}

/** Creates the fills table and the commission reports waiting for their execution. */
export const fillJournalMigration: Migration = {
  description: "state store: fills, pending_commissions",
  up: (db) => {
    db.exec(`
      CREATE TABLE fills (
        exec_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
        quantity TEXT NOT NULL,
        price TEXT NOT NULL,
        commission TEXT NOT NULL,
        commission_reported INTEGER NOT NULL CHECK (commission_reported IN (0, 1)),
        time_ms INTEGER NOT NULL,
        ib_order_id INTEGER,
        perm_id INTEGER,
        exec_base TEXT,
        exec_revision INTEGER NOT NULL
      );
      CREATE INDEX fills_time ON fills (time_ms);
      CREATE INDEX fills_exec_base ON fills (exec_base, exec_revision);
      CREATE TABLE pending_commissions (
        exec_id TEXT PRIMARY KEY,
        commission TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};

interface FillRow {
  execId: string;
  orderId: string;
  symbol: string;
  side: OrderSide;
  quantity: string;
  price: string;
  commission: string;
  commissionReported: 0 | 1;
  timeMs: number;
  ibOrderId: number | null;
  permId: number | null;
  corrects: string | null;
  correctedBy: string | null;
}

// The correction links are derived on read, so an older revision that arrives late is still superseded.
const SELECT_FILL = `SELECT f.exec_id AS execId, f.order_id AS orderId, f.symbol, f.side, f.quantity, f.price,
  f.commission, f.commission_reported AS commissionReported, f.time_ms AS timeMs, f.ib_order_id AS ibOrderId,
  f.perm_id AS permId,
  (SELECT o.exec_id FROM fills o WHERE o.exec_base = f.exec_base AND o.exec_revision < f.exec_revision
    ORDER BY o.exec_revision DESC LIMIT 1) AS corrects,
  (SELECT n.exec_id FROM fills n WHERE n.exec_base = f.exec_base AND n.exec_revision > f.exec_revision
    ORDER BY n.exec_revision DESC LIMIT 1) AS correctedBy
  FROM fills f`;

function prepareStatements(db: SqliteDatabase) {
  return {
    insert: db.prepare(
      `INSERT INTO fills (exec_id, order_id, symbol, side, quantity, price, commission, commission_reported,
         time_ms, ib_order_id, perm_id, exec_base, exec_revision)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (exec_id) DO NOTHING`,
    ),
    byExecId: db.prepare<[execId: string], FillRow>(`${SELECT_FILL} WHERE f.exec_id = ?`),
    since: db.prepare<[fromMs: number], FillRow>(
      `${SELECT_FILL} WHERE f.time_ms >= ? ORDER BY f.time_ms, f.rowid`,
    ),
    lastTime: db.prepare<[], number | null>("SELECT max(time_ms) FROM fills").pluck(),
    setCommission: db.prepare<[commission: string, execId: string]>(
      "UPDATE fills SET commission = ?, commission_reported = 1 WHERE exec_id = ?",
    ),
    upsertPending: db.prepare<[execId: string, commission: string]>(
      `INSERT INTO pending_commissions (exec_id, commission) VALUES (?, ?)
       ON CONFLICT (exec_id) DO UPDATE SET commission = excluded.commission`,
    ),
    takePending: db
      .prepare<[execId: string], string>(
        "DELETE FROM pending_commissions WHERE exec_id = ? RETURNING commission",
      )
      .pluck(),
  };
}

/**
 * The fills table, keyed by IB execId so a replayed execution is stored once. Commission reports may come
 * before or after their execution; each is applied to its fill whichever arrives first. Runs inside the
 * StateStore's transactions.
 */
export class FillJournal {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(db: SqliteDatabase) {
    this.sql = prepareStatements(db);
  }

  record(fill: Fill, ids: FillOrderIds): boolean {
    const { base, revision } = parseExecId(fill.fillId);
    const inserted = this.sql.insert.run(
      fill.fillId,
      fill.orderId,
      fill.symbol,
      fill.side,
      decimalText(fill.quantity, `quantity of fill ${fill.fillId}`),
      decimalText(fill.price, `price of fill ${fill.fillId}`),
      decimalText(fill.commission, `commission of fill ${fill.fillId}`),
      ids.commissionReported === true ? 1 : 0,
      requireInteger(fill.time, "fill time"),
      ids.ibOrderId === undefined ? null : requireInteger(ids.ibOrderId, "IB order id"),
      ids.permId === undefined ? null : requireInteger(ids.permId, "permId"),
      base,
      revision,
    );
    if (inserted.changes === 0) return false;
    const pending = this.sql.takePending.get(fill.fillId);
    if (pending !== undefined) this.sql.setCommission.run(pending, fill.fillId);
    return true;
  }

  recordCommission(execId: string, commission: Decimal): boolean {
    const text = decimalText(commission, `commission of execution ${execId}`);
    if (this.sql.setCommission.run(text, execId).changes > 0) return true;
    this.sql.upsertPending.run(execId, text);
    return false;
  }

  get(execId: string): StoredFill | undefined {
    const row = this.sql.byExecId.get(execId);
    return row === undefined ? undefined : toStoredFill(row);
  }

  since(fromMs: number): StoredFill[] {
    return this.sql.since.all(fromMs).map(toStoredFill);
  }

  lastTime(): number | undefined {
    return this.sql.lastTime.get() ?? undefined;
  }
}

/**
 * Splits an execId into the part a correction shares and the revision that orders corrections: IB corrects
 * `0000e0d5.67fe667b.01.01` with `….01.02` (ibkr-facts.md §5.3). An id without a dot and a hex last segment
 * has no base and never takes part in a correction.
 */
export function parseExecId(execId: string): { readonly base: string | null; readonly revision: number } {
  const dot = execId.lastIndexOf(".");
  const last = dot < 1 ? "" : execId.slice(dot + 1);
  if (!/^[0-9a-f]{1,8}$/i.test(last)) return { base: null, revision: 0 };
  return { base: execId.slice(0, dot), revision: Number.parseInt(last, 16) };
}

function toStoredFill(row: FillRow): StoredFill {
  const fill: Fill = Object.freeze({
    fillId: row.execId,
    orderId: row.orderId,
    symbol: row.symbol,
    side: row.side,
    quantity: decimalFrom(row.quantity),
    price: decimalFrom(row.price),
    commission: decimalFrom(row.commission),
    time: row.timeMs,
  });
  return Object.freeze({
    fill,
    commissionReported: row.commissionReported === 1,
    ...optional("ibOrderId", row.ibOrderId),
    ...optional("permId", row.permId),
    ...optional("corrects", row.corrects),
    ...optional("correctedBy", row.correctedBy),
  });
}
