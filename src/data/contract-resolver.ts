import { GatewayError } from "../core/errors.js";
import type { Clock } from "../core/clock.js";
import type { QualifiedContract } from "../model/qualified-contract.js";

/** Looks a symbol up at the broker (IbContractClient in the daemon). */
export interface ContractLookup {
  lookup(symbol: string): Promise<QualifiedContract>;
}

/** Where qualified contracts are kept between runs (the SQLite contract cache). */
export interface ContractStore {
  get(symbol: string): QualifiedContract | undefined;
  put(contract: QualifiedContract): void;
}

/** A symbol that could not be qualified, and why. */
export interface ContractFailure {
  readonly symbol: string;
  readonly error: Error;
}

/** Details older than this are looked up again (trading hours change daily). */
export const CONTRACT_MAX_AGE_MS = 24 * 3_600_000;

/**
 * Symbol → qualified contract: from memory, else from the disk cache if fresh, else from the broker (then
 * cached in both). Several symbols resolve independently: one unknown symbol fails alone.
 */
export class ContractResolver {
  private readonly memory = new Map<string, QualifiedContract>();
  private readonly pending = new Map<string, Promise<QualifiedContract>>();
  /** Broker lookups made (the rest came from a cache). */
  lookups = 0;

  constructor(
    private readonly broker: ContractLookup,
    private readonly clock: Clock,
    private readonly store?: ContractStore,
    private readonly maxAgeMs = CONTRACT_MAX_AGE_MS,
  ) {}

  resolve(symbol: string): Promise<QualifiedContract> {
    const fresh = (contract: QualifiedContract): boolean =>
      this.clock.nowMs() - contract.fetchedAtMs < this.maxAgeMs;
    const inMemory = this.memory.get(symbol);
    if (inMemory !== undefined && fresh(inMemory)) return Promise.resolve(inMemory);
    const onDisk = this.store?.get(symbol);
    if (onDisk !== undefined && fresh(onDisk)) {
      this.memory.set(symbol, onDisk);
      return Promise.resolve(onDisk);
    }
    const running = this.pending.get(symbol);
    if (running !== undefined) return running;
    this.lookups += 1;
    const lookup = this.broker
      .lookup(symbol)
      .then((contract) => {
        this.memory.set(symbol, contract);
        this.store?.put(contract);
        return contract;
      })
      .catch((error: unknown) => {
        // Stale details beat none when the broker cannot be asked right now (not for a real "unknown").
        const stale = inMemory ?? onDisk;
        if (stale !== undefined && error instanceof GatewayError && error.code !== "CONTRACT_UNKNOWN")
          return stale;
        throw error;
      })
      .finally(() => {
        this.pending.delete(symbol);
      });
    this.pending.set(symbol, lookup);
    return lookup;
  }

  /** Resolves every symbol; the ones that fail are listed with their error, the others go on. */
  async resolveAll(symbols: readonly string[]): Promise<{
    readonly contracts: readonly QualifiedContract[];
    readonly failures: readonly ContractFailure[];
  }> {
    const outcomes = await Promise.allSettled(symbols.map((symbol) => this.resolve(symbol)));
    const contracts: QualifiedContract[] = [];
    const failures: ContractFailure[] = [];
    outcomes.forEach((outcome, index) => {
      const symbol = symbols[index] ?? "";
      if (outcome.status === "fulfilled") contracts.push(outcome.value);
      else {
        const reason: unknown = outcome.reason;
        failures.push({ symbol, error: reason instanceof Error ? reason : new Error(String(reason)) });
      }
    });
    return { contracts, failures };
  }
}
