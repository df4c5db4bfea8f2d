import { describe, expect, it } from "vitest";
import { GatewayError } from "../core/errors.js";
import { ManualClock } from "../core/manual-clock.js";
import type { QualifiedContract } from "../model/qualified-contract.js";
import {
  CONTRACT_MAX_AGE_MS,
  ContractResolver,
  type ContractLookup,
  type ContractStore,
} from "./contract-resolver.js";

/** Tuesday 2024-01-02 12:00 UTC. */
const NOW = Date.UTC(2024, 0, 2, 12);
const HOUR_MS = 3_600_000;

function aContract(overrides: Partial<QualifiedContract> = {}): QualifiedContract {
  return {
    symbol: "SPY",
    conId: 756733,
    secType: "STK",
    exchange: "SMART",
    primaryExchange: "ARCA",
    currency: "USD",
    localSymbol: "SPY",
    longName: "SPDR S&P 500 ETF TRUST",
    minTick: 0.01,
    timeZoneId: "America/New_York",
    tradingHours: "20240102:0400-20240102:2000;20240103:CLOSED",
    liquidHours: "20240102:0930-20240102:1600;20240103:CLOSED",
    fetchedAtMs: NOW,
    ...overrides,
  };
}

const disconnected = (): GatewayError =>
  new GatewayError("GATEWAY_DISCONNECTED", "the gateway connection is down");
const unknown = (symbol: string): GatewayError =>
  new GatewayError("CONTRACT_UNKNOWN", `IB knows no stock ${symbol}`, { ibCode: 200 });

/** A broker that answers from a script; a symbol it was not told about fails the test. */
class FakeContractLookup implements ContractLookup {
  readonly calls: string[] = [];
  private readonly answers = new Map<string, () => Promise<QualifiedContract>>();

  answersWith(symbol: string, answer: () => Promise<QualifiedContract>): this {
    this.answers.set(symbol, answer);
    return this;
  }

  knows(contract: QualifiedContract): this {
    return this.answersWith(contract.symbol, () => Promise.resolve(contract));
  }

  fails(symbol: string, error: Error): this {
    return this.answersWith(symbol, () => Promise.reject(error));
  }

  lookup(symbol: string): Promise<QualifiedContract> {
    this.calls.push(symbol);
    const answer = this.answers.get(symbol);
    if (answer === undefined) return Promise.reject(new Error(`unexpected broker lookup of ${symbol}`));
    return answer();
  }
}

/** The disk cache as a map, remembering what was put. */
class FakeContractStore implements ContractStore {
  readonly puts: QualifiedContract[] = [];
  private readonly contracts = new Map<string, QualifiedContract>();

  constructor(...contracts: QualifiedContract[]) {
    for (const contract of contracts) this.contracts.set(contract.symbol, contract);
  }

  get(symbol: string): QualifiedContract | undefined {
    return this.contracts.get(symbol);
  }

  put(contract: QualifiedContract): void {
    this.puts.push(contract);
    this.contracts.set(contract.symbol, contract);
  }
}

describe("ContractResolver", () => {
  it("answers a symbol it resolved before from memory without asking the broker again", async () => {
    const contract = aContract();
    const broker = new FakeContractLookup().knows(contract);
    const resolver = new ContractResolver(broker, new ManualClock(NOW));

    await resolver.resolve("SPY");
    const again = await resolver.resolve("SPY");

    expect(again).toBe(contract);
    expect(broker.calls).toEqual(["SPY"]);
    expect(resolver.lookups).toBe(1);
  });

  it("uses fresh details from the disk cache without asking the broker", async () => {
    const stored = aContract({ fetchedAtMs: NOW - 23 * HOUR_MS });
    const broker = new FakeContractLookup();
    const resolver = new ContractResolver(broker, new ManualClock(NOW), new FakeContractStore(stored));

    const contract = await resolver.resolve("SPY");

    expect(contract).toBe(stored);
    expect(broker.calls).toEqual([]);
    expect(resolver.lookups).toBe(0);
  });

  it("looks a disk entry a day old up again and keeps the fresh details", async () => {
    const stale = aContract({ fetchedAtMs: NOW - CONTRACT_MAX_AGE_MS, longName: "old name" });
    const fresh = aContract();
    const broker = new FakeContractLookup().knows(fresh);
    const store = new FakeContractStore(stale);
    const resolver = new ContractResolver(broker, new ManualClock(NOW), store);

    const contract = await resolver.resolve("SPY");

    expect(contract).toBe(fresh);
    expect(broker.calls).toEqual(["SPY"]);
    expect(store.puts).toEqual([fresh]);
  });

  it("looks a symbol up again once its details in memory are a day old", async () => {
    const clock = new ManualClock(NOW);
    const broker = new FakeContractLookup().knows(aContract());
    const resolver = new ContractResolver(broker, clock);
    await resolver.resolve("SPY");

    clock.advanceMs(CONTRACT_MAX_AGE_MS);
    await resolver.resolve("SPY");

    expect(broker.calls).toEqual(["SPY", "SPY"]);
  });

  it("shares one broker call between concurrent resolves of the same symbol", async () => {
    const contract = aContract();
    let answer: (value: QualifiedContract) => void = () => undefined;
    const broker = new FakeContractLookup().answersWith(
      "SPY",
      () =>
        new Promise<QualifiedContract>((resolve) => {
          answer = resolve;
        }),
    );
    const resolver = new ContractResolver(broker, new ManualClock(NOW));

    const first = resolver.resolve("SPY");
    const second = resolver.resolve("SPY");
    answer(contract);

    expect(await Promise.all([first, second])).toEqual([contract, contract]);
    expect(broker.calls).toEqual(["SPY"]);
  });

  it("fails an unknown symbol alone in resolveAll while the others resolve", async () => {
    const spy = aContract();
    const qqq = aContract({ symbol: "QQQ", conId: 320227571, localSymbol: "QQQ" });
    const broker = new FakeContractLookup().knows(spy).knows(qqq).fails("ZZZZ", unknown("ZZZZ"));
    const resolver = new ContractResolver(broker, new ManualClock(NOW));

    const { contracts, failures } = await resolver.resolveAll(["SPY", "ZZZZ", "QQQ"]);

    expect(contracts).toEqual([spy, qqq]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.symbol).toBe("ZZZZ");
    expect(failures[0]?.error).toMatchObject({ code: "CONTRACT_UNKNOWN" });
  });

  it("uses stale disk details when the broker cannot be reached", async () => {
    const stale = aContract({ fetchedAtMs: NOW - 3 * CONTRACT_MAX_AGE_MS });
    const broker = new FakeContractLookup().fails("SPY", disconnected());
    const store = new FakeContractStore(stale);
    const resolver = new ContractResolver(broker, new ManualClock(NOW), store);

    const contract = await resolver.resolve("SPY");

    expect(contract).toBe(stale);
    expect(broker.calls).toEqual(["SPY"]);
    expect(store.puts).toEqual([]);
  });

  it("rejects rather than use stale disk details when the broker says the symbol is unknown", async () => {
    const stale = aContract({ fetchedAtMs: NOW - 3 * CONTRACT_MAX_AGE_MS });
    const broker = new FakeContractLookup().fails("SPY", unknown("SPY"));
    const resolver = new ContractResolver(broker, new ManualClock(NOW), new FakeContractStore(stale));

    await expect(resolver.resolve("SPY")).rejects.toMatchObject({ code: "CONTRACT_UNKNOWN" });
  });

  it("asks the broker again after a failed lookup", async () => {
    const contract = aContract();
    let attempts = 0;
    const broker = new FakeContractLookup().answersWith("SPY", () =>
      ++attempts === 1 ? Promise.reject(disconnected()) : Promise.resolve(contract),
    );
    const resolver = new ContractResolver(broker, new ManualClock(NOW));

    await expect(resolver.resolve("SPY")).rejects.toMatchObject({ code: "GATEWAY_DISCONNECTED" });
    const retried = await resolver.resolve("SPY");

    expect(retried).toBe(contract);
    expect(broker.calls).toEqual(["SPY", "SPY"]);
  });
});
