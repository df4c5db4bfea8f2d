import { z } from "zod";
import { InvariantError, TraderError } from "../core/errors.js";
import type { QualifiedContract } from "../model/qualified-contract.js";
import { storeFailed, type Migration, type SqliteDatabase } from "./sqlite-database.js";

/** The outcome of reading one symbol: a valid contract, nothing stored, or a row that failed validation. */
export type ContractLookup =
  | { readonly type: "hit"; readonly contract: QualifiedContract }
  | { readonly type: "miss" }
  | { readonly type: "corrupt"; readonly row: CorruptContractRow };

/** A stored row that is not a valid contract; callers log it and treat the symbol as not cached. */
export interface CorruptContractRow {
  readonly symbol: string;
  readonly reason: string;
}

/** Every stored contract, by symbol, and the rows that could not be read. */
export interface ContractCacheContents {
  readonly contracts: readonly QualifiedContract[];
  readonly corruptRows: readonly CorruptContractRow[];
}

/** Creates the contracts table: one JSON document per upper-case symbol. */
export const contractCacheMigration: Migration = {
  description: "contract cache: contracts",
  up: (db) => {
    db.exec(`
      CREATE TABLE contracts (
        symbol TEXT PRIMARY KEY,
        con_id INTEGER NOT NULL,
        fetched_at_ms INTEGER NOT NULL,
        contract_json TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};

const QUALIFIED_CONTRACT_SCHEMA = z.object({
  symbol: z.string().min(1),
  conId: z.int().positive(),
  secType: z.literal("STK"),
  exchange: z.string().min(1),
  primaryExchange: z.string(),
  currency: z.string().min(1),
  localSymbol: z.string(),
  longName: z.string(),
  minTick: z.number().positive(),
  timeZoneId: z.string(),
  tradingHours: z.string(),
  liquidHours: z.string(),
  fetchedAtMs: z.int().nonnegative(),
});

interface ContractRow {
  readonly symbol: string;
  readonly contractJson: string;
}

const WRITE_FIX = "check the disk has space and DATA_DIR is writable";
const READ_FIX = "delete the file to rebuild the cache from IB";

function prepareStatements(db: SqliteDatabase) {
  return {
    selectOne: db.prepare<[symbol: string], ContractRow>(
      "SELECT symbol, contract_json AS contractJson FROM contracts WHERE symbol = ?",
    ),
    selectAll: db.prepare<[], ContractRow>(
      "SELECT symbol, contract_json AS contractJson FROM contracts ORDER BY symbol",
    ),
    upsert: db.prepare<[symbol: string, conId: number, fetchedAtMs: number, contractJson: string]>(
      `INSERT INTO contracts (symbol, con_id, fetched_at_ms, contract_json) VALUES (?, ?, ?, ?)
       ON CONFLICT (symbol) DO UPDATE SET con_id = excluded.con_id, fetched_at_ms = excluded.fetched_at_ms,
         contract_json = excluded.contract_json`,
    ),
  };
}

/**
 * The local store of contracts resolved against IB, keyed by upper-case symbol. Freshness is the caller's
 * decision (`fetchedAtMs`); a row that fails validation is reported as corrupt, never thrown.
 */
export class ContractCache {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(
    db: SqliteDatabase,
    private readonly path: string,
  ) {
    this.sql = prepareStatements(db);
  }

  /** The cached contract for a symbol (any case), or undefined when none is stored or the row is corrupt. */
  get(symbol: string): QualifiedContract | undefined {
    const lookup = this.lookup(symbol);
    return lookup.type === "hit" ? lookup.contract : undefined;
  }

  /** Like `get`, but tells a missing row from a corrupt one so the caller can log it. */
  lookup(symbol: string): ContractLookup {
    const row = this.reading(() => this.sql.selectOne.get(symbol.toUpperCase()));
    if (row === undefined) return { type: "miss" };
    return parseRow(row);
  }

  /** Stores (or replaces) the contract under its upper-case symbol. */
  put(contract: QualifiedContract): void {
    const parsed = QUALIFIED_CONTRACT_SCHEMA.safeParse(contract);
    if (!parsed.success) {
      throw new InvariantError(
        `contract cache: refusing to store an invalid contract for ${contract.symbol}: ${z.prettifyError(parsed.error).replace(/\s+/g, " ")}`,
      );
    }
    try {
      this.sql.upsert.run(
        contract.symbol.toUpperCase(),
        contract.conId,
        contract.fetchedAtMs,
        JSON.stringify(parsed.data),
      );
    } catch (error) {
      throw storeFailed("write a contract to", this.path, error, WRITE_FIX);
    }
  }

  /** Every stored contract in symbol order, with the rows that failed validation listed apart. */
  all(): ContractCacheContents {
    const contracts: QualifiedContract[] = [];
    const corruptRows: CorruptContractRow[] = [];
    for (const row of this.reading(() => this.sql.selectAll.all())) {
      const lookup = parseRow(row);
      if (lookup.type === "hit") contracts.push(lookup.contract);
      else if (lookup.type === "corrupt") corruptRows.push(lookup.row);
    }
    return { contracts, corruptRows };
  }

  private reading<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof TraderError) throw error;
      throw storeFailed("read contracts from", this.path, error, READ_FIX);
    }
  }
}

function parseRow(row: ContractRow): ContractLookup {
  let json: unknown;
  try {
    json = JSON.parse(row.contractJson);
  } catch (error) {
    return corrupt(row.symbol, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = QUALIFIED_CONTRACT_SCHEMA.safeParse(json);
  if (!parsed.success) return corrupt(row.symbol, z.prettifyError(parsed.error).replace(/\s+/g, " "));
  if (parsed.data.symbol.toUpperCase() !== row.symbol) {
    return corrupt(row.symbol, `the stored contract is for ${parsed.data.symbol}`);
  }
  return { type: "hit", contract: Object.freeze(parsed.data) };
}

function corrupt(symbol: string, reason: string): ContractLookup {
  return { type: "corrupt", row: { symbol, reason } };
}
