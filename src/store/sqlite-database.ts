import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { TraderError } from "../core/errors.js";

/** An open better-sqlite3 connection. */
export type SqliteDatabase = Database.Database;

/** One schema step; the step at index i brings the file from user_version i to i + 1. */
export interface Migration {
  readonly description: string;
  readonly up: (db: SqliteDatabase) => void;
}

/** How to open one SQLite file: what it is called in messages, its migrations and its durability. */
export interface SqliteDatabaseOptions {
  /** What the file is, for error messages, e.g. "market data store". */
  readonly label: string;
  /** Every migration the code knows, oldest first; never reorder or edit one that has shipped. */
  readonly migrations: readonly Migration[];
  /** NORMAL (default) may lose the last commits on power loss, never corrupts; FULL syncs every commit. */
  readonly synchronous?: "NORMAL" | "FULL";
  /** How long a write waits for another process's lock before failing with SQLITE_BUSY. */
  readonly busyTimeoutMs?: number;
  /** The fix named when the file cannot be opened, e.g. "check DATA_DIR is writable". */
  readonly fix?: string;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const DEFAULT_FIX = "check DATA_DIR exists or can be created and is writable";

/**
 * Opens (creating it and its parent directories if needed) a SQLite file in WAL mode and brings its schema
 * up to date. Throws TraderError STORE_FAILED, with the path, the reason and a fix, when that fails.
 */
export function openSqliteDatabase(path: string, options: SqliteDatabaseOptions): SqliteDatabase {
  const fix = options.fix ?? DEFAULT_FIX;
  let db: SqliteDatabase | undefined;
  try {
    if (isFilePath(path)) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)}`);
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
    db.pragma("foreign_keys = ON");
    migrate(db, path, options);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof TraderError) throw error;
    throw storeFailed(`open ${options.label}`, path, error, fix);
  }
}

/** The schema version recorded in the file (PRAGMA user_version). */
export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/**
 * A TraderError STORE_FAILED for a failed store operation: "cannot <action> <path>: <reason> (fix: <fix>)"
 * on one line. The reason starts with the SQLite or system error code when there is one.
 */
export function storeFailed(action: string, path: string, cause: unknown, fix: string): TraderError {
  return new TraderError("STORE_FAILED", `cannot ${action} ${path}: ${reasonOf(cause)} (fix: ${fix})`, {
    cause,
  });
}

function migrate(db: SqliteDatabase, path: string, options: SqliteDatabaseOptions): void {
  const knownVersion = options.migrations.length;
  // IMMEDIATE takes the write lock before reading user_version, so two processes opening the same new
  // file cannot both apply the same migration.
  db.transaction(() => {
    const fileVersion = schemaVersion(db);
    if (fileVersion > knownVersion) {
      throw new TraderError(
        "STORE_FAILED",
        `cannot open ${options.label} ${path}: its schema version ${fileVersion} is newer than the ` +
          `${knownVersion} this version of ibkr-trader knows (fix: upgrade ibkr-trader, or use another DATA_DIR)`,
      );
    }
    for (let version = fileVersion; version < knownVersion; version++) {
      options.migrations[version]?.up(db);
    }
    if (fileVersion !== knownVersion) db.pragma(`user_version = ${knownVersion}`);
  }).immediate();
}

function isFilePath(path: string): boolean {
  return path !== "" && path !== ":memory:";
}

function reasonOf(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  const text = typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
  return text.replace(/\s+/g, " ").trim();
}
