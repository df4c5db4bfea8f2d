import type { Decimal } from "decimal.js";
import { maskAccountId } from "../core/account-id.js";
import { InvariantError, TraderError } from "../core/errors.js";
import type { Fill } from "../model/fill.js";
import type { OrderIntent } from "../model/order.js";
import { openSqliteDatabase, storeFailed, type Migration, type SqliteDatabase } from "./sqlite-database.js";
import {
  equityCurveMigration,
  EquityCurve,
  type EquityPoint,
  type EquitySource,
} from "./state-equity-curve.js";
import {
  fillJournalMigration,
  FillJournal,
  type FillOrderIds,
  type StoredFill,
} from "./state-fill-journal.js";
import {
  intentJournalMigration,
  IntentJournal,
  type IntentOutcome,
  type StoredIntent,
} from "./state-intent-journal.js";
import { orderIdSequenceMigration, OrderIdSequence } from "./state-order-id-sequence.js";
import {
  portfolioSnapshotsMigration,
  PortfolioSnapshots,
  type PortfolioSnapshot,
} from "./state-portfolio-snapshots.js";

/** Paper, live or simulated fills (broker sim): state is never shared between them. */
export type TradingMode = "paper" | "live" | "simulated";

/** The mode and IB account a state file belongs to. */
export interface StateOwner {
  readonly mode: TradingMode;
  readonly account: string;
}

/** Creates the meta table: text values by key, among them the owner (mode, account) of the file. */
const stateMetaMigration: Migration = {
  description: "state store: meta",
  up: (db) => {
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;");
  },
};

/** The state file's schema steps, oldest first: append, never edit or reorder. */
export const STATE_STORE_MIGRATIONS: readonly Migration[] = [
  stateMetaMigration,
  orderIdSequenceMigration,
  intentJournalMigration,
  fillJournalMigration,
  portfolioSnapshotsMigration,
  equityCurveMigration,
];

const MODES: ReadonlySet<string> = new Set<TradingMode>(["paper", "live", "simulated"]);
const OWNER_KEYS: ReadonlySet<string> = new Set(["mode", "account"]);
const WRITE_FIX = "check the disk has space and the state directory is writable";
const READ_FIX = "check the file is intact with sqlite3's PRAGMA integrity_check";

/**
 * The daemon's durable state, one SQLite file per mode and account: order intents (written before an order
 * is sent), IB order ids, fills, the latest portfolio, equity snapshots and meta. Every call is one
 * transaction, synced to disk (synchronous=FULL) before it returns, so a crash loses nothing it confirmed.
 */
export class StateStore {
  private readonly intents: IntentJournal;
  private readonly fills: FillJournal;
  private readonly orderIds: OrderIdSequence;
  private readonly portfolio: PortfolioSnapshots;
  private readonly equity: EquityCurve;
  private readonly sql: ReturnType<typeof prepareMetaStatements>;

  private constructor(
    private readonly db: SqliteDatabase,
    readonly path: string,
    readonly owner: StateOwner,
  ) {
    this.intents = new IntentJournal(db);
    this.fills = new FillJournal(db);
    this.orderIds = new OrderIdSequence(db);
    this.portfolio = new PortfolioSnapshots(db);
    this.equity = new EquityCurve(db);
    this.sql = prepareMetaStatements(db);
  }

  /**
   * Opens (creating it if needed) the state file at `path` for one mode and account. A new file is stamped
   * with them; a file stamped with another mode or account is refused with TraderError STORE_FAILED.
   */
  static open(path: string, owner: StateOwner): StateStore {
    const account = owner.account.trim().toUpperCase();
    if (account === "") throw new InvariantError("state store: the account id is empty");
    if (!MODES.has(owner.mode)) throw new InvariantError(`state store: unknown mode "${owner.mode}"`);
    const db = openSqliteDatabase(path, {
      label: "state store",
      migrations: STATE_STORE_MIGRATIONS,
      synchronous: "FULL",
      fix: "check the state directory exists or can be created and is writable",
    });
    const store = new StateStore(db, path, Object.freeze({ mode: owner.mode, account }));
    try {
      store.claimOwnership();
    } catch (error) {
      db.close();
      throw error;
    }
    return store;
  }

  getMeta(key: string): string | undefined {
    return this.read("meta", () => this.sql.get.get(key));
  }

  /** Stores a meta value; the owner keys (mode, account) are set by `open` only. */
  setMeta(key: string, value: string): void {
    if (OWNER_KEYS.has(key)) throw new InvariantError(`state store: meta key "${key}" is set by open only`);
    this.write("meta", () => {
      this.sql.set.run(key, value);
    });
  }

  /** The IB order id to use: max(candidate, last used + 1), persisted before it returns. */
  reserveOrderId(candidate: number): number {
    return this.write("an order id", () => this.orderIds.reserve(candidate));
  }

  lastOrderId(): number | undefined {
    return this.read("order ids", () => this.orderIds.lastUsed());
  }

  /** Writes an intent with status `written`, before its order is sent; a known intent id is an InvariantError. */
  recordIntent(intent: OrderIntent): void {
    this.write("an intent", () => {
      this.intents.record(intent);
    });
  }

  intent(intentId: string): StoredIntent | undefined {
    return this.read("intents", () => this.intents.get(intentId));
  }

  intentByIbOrderId(ibOrderId: number): StoredIntent | undefined {
    return this.read("intents", () => this.intents.byIbOrderId(ibOrderId));
  }

  /** written → sent; the IB order id is also recorded as used. False for a duplicate. */
  markSent(intentId: string, ibOrderId: number, atMs: number): boolean {
    return this.write("an intent", () => {
      const changed = this.intents.markSent(intentId, ibOrderId, atMs);
      this.orderIds.noteUsed(ibOrderId);
      return changed;
    });
  }

  /**
   * The one durable step before an order goes to IB: writes the intent unless it is already written (and not
   * sent), reserves an IB order id (max(candidate, last used + 1)) and marks the intent sent under it, in one
   * transaction — one disk sync on the path to placeOrder. Returns the id.
   */
  sendIntent(intent: OrderIntent, candidate: number, atMs: number): number {
    return this.write("an intent", () => {
      if (this.intents.get(intent.intentId) === undefined) this.intents.record(intent);
      const ibOrderId = this.orderIds.reserve(candidate);
      if (!this.intents.markSent(intent.intentId, ibOrderId, atMs)) {
        throw new InvariantError(`state store: intent ${intent.intentId} was sent already`);
      }
      return ibOrderId;
    });
  }

  /** Runs `steps` (calls of this store) as one transaction: one disk sync for all of them. */
  atomically<T>(what: string, steps: () => T): T {
    return this.write(what, steps);
  }

  /** sent → written: IB has no trace of the order, so it may be sent again under a new id. False if written. */
  markNeverSent(intentId: string): boolean {
    return this.write("an intent", () => this.intents.markNeverSent(intentId));
  }

  /** sent → acknowledged with IB's permId. False for a duplicate. */
  markAcknowledged(intentId: string, permId: number, atMs: number): boolean {
    return this.write("an intent", () => this.intents.markAcknowledged(intentId, permId, atMs));
  }

  /** → filled, cancelled or rejected (with IB's code and reason). False for a duplicate. */
  markTerminal(intentId: string, outcome: IntentOutcome, atMs: number): boolean {
    return this.write("an intent", () => this.intents.markTerminal(intentId, outcome, atMs));
  }

  /** Intents written but not sent, or sent but not ended, oldest first: what reconciliation must resolve. */
  unresolvedIntents(): StoredIntent[] {
    return this.read("intents", () => this.intents.unresolved());
  }

  /** Stores an execution keyed by execId; false when that execId is already stored (a replay). */
  recordFill(fill: Fill, ids: FillOrderIds = {}): boolean {
    return this.write("a fill", () => this.fills.record(fill, ids));
  }

  /** Sets the commission of an execution; false when the execution is not stored yet (it is applied on arrival). */
  recordCommission(execId: string, commission: Decimal): boolean {
    return this.write("a commission", () => this.fills.recordCommission(execId, commission));
  }

  fill(execId: string): StoredFill | undefined {
    return this.read("fills", () => this.fills.get(execId));
  }

  /** Fills with time ≥ fromMs, oldest first (ties in the order they were stored), corrections included. */
  fillsSince(fromMs: number): StoredFill[] {
    return this.read("fills", () => this.fills.since(fromMs));
  }

  lastFillTime(): number | undefined {
    return this.read("fills", () => this.fills.lastTime());
  }

  /** Replaces the latest portfolio snapshot (cash and every position) in one transaction. */
  savePortfolio(snapshot: PortfolioSnapshot): void {
    this.write("the portfolio", () => {
      this.portfolio.save(snapshot);
    });
  }

  loadPortfolio(): PortfolioSnapshot | undefined {
    return this.read("the portfolio", () => this.portfolio.load());
  }

  recordEquity(atMs: number, equity: Decimal, source: EquitySource): void {
    this.write("equity", () => {
      this.equity.record(atMs, equity, source);
    });
  }

  /** Equity points with time ≥ fromMs, oldest first. */
  equitySince(fromMs: number): EquityPoint[] {
    return this.read("equity", () => this.equity.since(fromMs));
  }

  /** Closes the file; the store must not be used afterwards. */
  close(): void {
    this.db.close();
  }

  private claimOwnership(): void {
    const { mode, account } = this.owner;
    this.write("the owner", () => {
      const storedMode = this.sql.get.get("mode");
      const storedAccount = this.sql.get.get("account");
      if (storedMode === undefined && storedAccount === undefined) {
        this.sql.set.run("mode", mode);
        this.sql.set.run("account", account);
      } else if (storedMode !== mode || storedAccount !== account) {
        const stored = `${storedMode ?? "unknown"} account ${maskAccountId(storedAccount ?? "unknown")}`;
        throw new TraderError(
          "STORE_FAILED",
          `cannot open state store ${this.path}: it belongs to the ${stored}, not the ${mode} account ` +
            `${maskAccountId(account)} (fix: give each mode and account its own state file; never share one)`,
        );
      }
    });
  }

  private write<T>(what: string, write: () => T): T {
    try {
      return this.db.transaction(write).immediate();
    } catch (error) {
      if (error instanceof TraderError) throw error;
      throw storeFailed(`write ${what} to`, this.path, error, WRITE_FIX);
    }
  }

  private read<T>(what: string, read: () => T): T {
    try {
      return this.db.transaction(read).deferred();
    } catch (error) {
      if (error instanceof TraderError) throw error;
      throw storeFailed(`read ${what} from`, this.path, error, READ_FIX);
    }
  }
}

function prepareMetaStatements(db: SqliteDatabase) {
  return {
    get: db.prepare<[key: string], string>("SELECT value FROM meta WHERE key = ?").pluck(),
    set: db.prepare<[key: string, value: string]>(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ),
  };
}
