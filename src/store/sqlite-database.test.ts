import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TraderError } from "../core/errors.js";
import { openSqliteDatabase, schemaVersion, type Migration, type SqliteDatabase } from "./sqlite-database.js";

const createTable = (name: string): Migration => ({
  description: `create ${name}`,
  up: (db) => db.exec(`CREATE TABLE ${name} (id INTEGER PRIMARY KEY)`),
});

const tableNames = (db: SqliteDatabase): string[] =>
  db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();

function thrownBy(action: () => unknown): TraderError {
  try {
    action();
  } catch (error) {
    if (error instanceof TraderError) return error;
    throw error;
  }
  throw new Error("expected a TraderError, nothing was thrown");
}

describe("openSqliteDatabase", () => {
  let dir: string;
  const open: SqliteDatabase[] = [];
  const openDb = (path: string, migrations: readonly Migration[], synchronous?: "NORMAL" | "FULL") => {
    const db = openSqliteDatabase(path, {
      label: "test store",
      migrations,
      busyTimeoutMs: 1234,
      ...(synchronous ? { synchronous } : {}),
    });
    open.push(db);
    return db;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ibkr-sqlite-"));
  });

  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates missing parent directories and opens a file database in WAL mode", () => {
    const path = join(dir, "nested", "deeper", "test.sqlite");
    const db = openDb(path, []);
    expect(existsSync(path)).toBe(true);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
  });

  it("sets synchronous NORMAL by default, foreign keys on and the busy timeout", () => {
    const db = openDb(join(dir, "test.sqlite"), []);
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(1234);
  });

  it("sets synchronous FULL when asked", () => {
    const db = openDb(join(dir, "test.sqlite"), [], "FULL");
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
  });

  it("applies every migration in order and records the version in user_version", () => {
    const db = openDb(":memory:", [createTable("first"), createTable("second")]);
    expect(tableNames(db)).toEqual(["first", "second"]);
    expect(schemaVersion(db)).toBe(2);
  });

  it("applies only the migrations a reopened file has not seen yet", () => {
    const path = join(dir, "test.sqlite");
    openDb(path, [createTable("first")]).close();
    const applied: string[] = [];
    const tracking = (name: string): Migration => ({
      description: name,
      up: (db) => {
        applied.push(name);
        createTable(name).up(db);
      },
    });
    const db = openDb(path, [tracking("first"), tracking("second")]);
    expect(applied).toEqual(["second"]);
    expect(schemaVersion(db)).toBe(2);
  });

  it("rolls back every migration of an open when one of them fails", () => {
    const path = join(dir, "test.sqlite");
    const failing: Migration = { description: "broken", up: (db) => db.exec("CREATE TABLE broken (") };
    const error = thrownBy(() => openDb(path, [createTable("first"), failing]));
    expect(error.code).toBe("STORE_FAILED");
    const db = openDb(path, []);
    expect(tableNames(db)).toEqual([]);
    expect(schemaVersion(db)).toBe(0);
  });

  it("refuses a file whose schema is newer than the code knows, naming the file and the fix", () => {
    const path = join(dir, "test.sqlite");
    openDb(path, [createTable("first"), createTable("second")]).close();
    const error = thrownBy(() => openDb(path, [createTable("first")]));
    expect(error.code).toBe("STORE_FAILED");
    expect(error.message).toContain(path);
    expect(error.message).toContain("schema version 2 is newer than the 1");
    expect(error.message).toContain("fix: upgrade ibkr-trader");
    expect(error.message).not.toContain("\n");
  });

  it("fails with STORE_FAILED, one line naming the path and a fix, when the directory cannot be created", () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "not a directory");
    const path = join(blocker, "sub", "test.sqlite");
    const error = thrownBy(() => openDb(path, []));
    expect(error.code).toBe("STORE_FAILED");
    expect(error.message).toMatch(
      /^cannot open test store .*a-file\/sub\/test\.sqlite: ENOTDIR.*\(fix: .+\)$/,
    );
    expect(error.message).not.toContain("\n");
  });

  // Root ignores directory permissions, so this only means something for an ordinary user.
  it.skipIf(process.getuid?.() === 0)("fails with STORE_FAILED when the directory is not writable", () => {
    const readOnly = join(dir, "read-only");
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o500);
    const error = thrownBy(() => openDb(join(readOnly, "test.sqlite"), []));
    expect(error.code).toBe("STORE_FAILED");
    expect(error.message).toMatch(/^cannot open test store .*read-only\/test\.sqlite: SQLITE_CANTOPEN/);
    chmodSync(readOnly, 0o700);
  });
});
