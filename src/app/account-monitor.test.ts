import { Decimal } from "decimal.js";
import fc from "fast-check";
import pino from "pino";
import { Subject } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import type { IbAccountSnapshot, IbAccountUpdate, IbPositionPnl } from "../adapters/ib/ib-account-client.js";
import { ManualClock } from "../core/manual-clock.js";
import { AccountLedger } from "../gateway-sim/orders/account-ledger.js";
import { BUILT_IN_INSTRUMENTS } from "../gateway-sim/market/instrument-universe.js";
import type { Fill } from "../model/fill.js";
import type { OrderSide } from "../model/order.js";
import { Portfolio } from "../portfolio/portfolio.js";
import { AccountMonitor, CommissionInCost } from "./account-monitor.js";

const ACCOUNT = "DU1234567";
const START_MS = Date.UTC(2024, 0, 2, 15);

let fillCounter = 0;

function aFill(
  side: OrderSide,
  quantity: Decimal.Value,
  price: Decimal.Value,
  commission: Decimal.Value,
): Fill {
  fillCounter += 1;
  return {
    fillId: `exec-${fillCounter}`,
    orderId: `intent-${fillCounter}`,
    symbol: "AAPL",
    side,
    quantity: new Decimal(quantity),
    price: new Decimal(price),
    commission: new Decimal(commission),
    time: START_MS + fillCounter,
  };
}

/** IB's P&L for AAPL: `position` shares worth `value`, with IB's unrealized P&L (undefined = IB's unset). */
function ibPosition(
  position: Decimal.Value | undefined,
  value: Decimal.Value | undefined,
  unrealizedPnl: Decimal.Value | undefined,
): IbPositionPnl {
  const decimal = (amount: Decimal.Value | undefined) =>
    amount === undefined ? undefined : new Decimal(amount);
  return {
    symbol: "AAPL",
    conId: 265598,
    position: decimal(position),
    dailyPnl: undefined,
    unrealizedPnl: decimal(unrealizedPnl),
    realizedPnl: decimal(0),
    value: decimal(value),
    updatedAtMs: START_MS,
  };
}

/** A snapshot source the test drives: each `publish` is one P&L-single update from IB. */
class FakeAccountSource {
  readonly updates = new Subject<IbAccountUpdate>();
  readonly updates$ = this.updates.asObservable();
  private current: IbAccountSnapshot = {
    account: ACCOUNT,
    summary: undefined,
    pnl: undefined,
    positions: new Map(),
  };

  snapshot(): IbAccountSnapshot {
    return this.current;
  }

  publish(position: IbPositionPnl): void {
    this.current = { ...this.current, positions: new Map([[position.symbol, position]]) };
    this.updates.next({ type: "PositionPnlUpdated", symbol: position.symbol, snapshot: this.current });
  }
}

/** Log lines written by a pino logger, parsed. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, events: (event: string) => lines.filter((line) => line.event === event) };
}

describe("AccountMonitor", () => {
  const monitors: AccountMonitor[] = [];
  afterEach(() => {
    for (const monitor of monitors.splice(0)) monitor.stop();
  });

  /** A ledger that bought 100 AAPL at 50 for a 1 USD commission, watched with a 5 USD tolerance. */
  function setUp(options: { readonly graceMs?: number } = {}) {
    const ledger = new Portfolio({ initialCash: new Decimal(100_000) });
    const source = new FakeAccountSource();
    const clock = new ManualClock(START_MS);
    const logs = capturedLogger();
    const monitor = new AccountMonitor({
      source,
      ledger,
      tolerance: new Decimal(5),
      clock,
      logger: logs.logger,
      ...options,
    });
    monitors.push(monitor);
    const buy = aFill("BUY", 100, 50, 1);
    ledger.applyFill(buy);
    monitor.recordFill(buy);
    monitor.start();
    return { ledger, source, clock, logs, monitor };
  }

  it("finds a ledger that booked the same fills in agreement with IB, whose average cost includes commissions", () => {
    const { source, logs, monitor } = setUp();
    // IB's average cost 50.01 (commission included); mark 51: unrealized (51 − 50.01) × 100 = 99.
    source.publish(ibPosition(100, 5100, 99));

    expect(monitor.stats()).toEqual({ checks: 1, divergences: 0 });
    expect(monitor.view().positions[0]?.ours.unrealizedPnlAtIbMark?.toString()).toBe("99");
    expect(logs.events("account.divergence")).toEqual([]);
  });

  it("keeps a difference exactly at the tolerance within it", () => {
    const { source, logs, monitor } = setUp();
    source.publish(ibPosition(100, 5100, 104));

    expect(monitor.stats().divergences).toBe(0);
    expect(logs.events("account.divergence")).toEqual([]);
  });

  it("reports a difference just beyond the tolerance as a divergence of the unrealized P&L", () => {
    const { source, logs, monitor } = setUp();
    source.publish(ibPosition(100, 5100, "104.01"));

    expect(logs.events("account.divergence")).toEqual([
      expect.objectContaining({
        level: 40,
        symbol: "AAPL",
        field: "unrealizedPnl",
        ib: "104.01",
        ours: "99",
        difference: "-5.01",
      }),
    ]);
    expect(monitor.stats()).toMatchObject({
      checks: 1,
      divergences: 1,
      lastDivergence: { symbol: "AAPL", field: "unrealizedPnl", sinceMs: START_MS },
    });
  });

  it("logs and counts a lasting divergence once", () => {
    const { source, logs, monitor } = setUp();
    source.publish(ibPosition(100, 5100, 120));
    source.publish(ibPosition(100, 5110, 130));
    source.publish(ibPosition(100, 5120, 140));

    expect(logs.events("account.divergence")).toHaveLength(1);
    expect(monitor.stats()).toMatchObject({ checks: 3, divergences: 1 });
    expect(monitor.view().divergences.map((divergence) => divergence.ib.toString())).toEqual(["140"]);
  });

  it("logs the convergence once the difference is back within the tolerance, and a new divergence again", () => {
    const { source, logs, monitor } = setUp();
    source.publish(ibPosition(100, 5100, 120));
    source.publish(ibPosition(100, 5100, "99.02"));

    expect(logs.events("account.converged")).toEqual([
      expect.objectContaining({ level: 30, symbol: "AAPL", field: "unrealizedPnl", ib: "99.02", ours: "99" }),
    ]);
    expect(monitor.check()).toEqual([]);

    source.publish(ibPosition(100, 5100, 80));
    expect(logs.events("account.divergence")).toHaveLength(2);
    expect(monitor.stats().divergences).toBe(2);
  });

  it("reports any difference in quantity, and does not compare P&L across different quantities", () => {
    const { source, logs, monitor } = setUp();
    source.publish(ibPosition(101, "5151", "99.99"));

    expect(logs.events("account.divergence")).toEqual([
      expect.objectContaining({ field: "quantity", ib: "101", ours: "100", difference: "-1" }),
    ]);
    expect(monitor.view().positions[0]?.ours.unrealizedPnlAtIbMark).toBeUndefined();
  });

  it("reports a position IB holds that the ledger does not have", () => {
    const { ledger, source, logs } = setUp();
    const sell = aFill("SELL", 100, 51, 1);
    ledger.applyFill(sell);
    source.publish(ibPosition(100, 5100, 99));

    expect(logs.events("account.divergence")).toEqual([
      expect.objectContaining({ field: "quantity", ib: "100", ours: "0" }),
    ]);
  });

  it("compares nothing IB left unset, and leaves an open divergence open", () => {
    const { source, logs, monitor } = setUp();
    source.publish(ibPosition(100, 5100, 120));
    source.publish(ibPosition(undefined, undefined, undefined));

    expect(logs.events("account.divergence")).toHaveLength(1);
    expect(logs.events("account.converged")).toEqual([]);
    expect(monitor.check()).toHaveLength(1);
  });

  it("does not report a position whose P&L IB left unset", () => {
    const { source, logs } = setUp();
    source.publish(ibPosition(100, undefined, undefined));

    expect(logs.events("account.divergence")).toEqual([]);
  });

  it("reports a divergence only once it has lasted the grace period", () => {
    const { source, clock, logs, monitor } = setUp({ graceMs: 2_000 });
    source.publish(ibPosition(100, 5100, 120));
    clock.advanceMs(1_999);
    source.publish(ibPosition(100, 5100, 120));
    expect(logs.events("account.divergence")).toEqual([]);

    clock.advanceMs(1);
    source.publish(ibPosition(100, 5100, 120));
    expect(logs.events("account.divergence")).toHaveLength(1);
    expect(monitor.stats().lastDivergence?.sinceMs).toBe(START_MS);
  });

  it("forgets a divergence that passes within the grace period without reporting it", () => {
    const { source, clock, logs } = setUp({ graceMs: 2_000 });
    source.publish(ibPosition(100, 5100, 120));
    clock.advanceMs(1_000);
    source.publish(ibPosition(100, 5100, 99));
    clock.advanceMs(1_500);
    source.publish(ibPosition(100, 5100, 120));

    expect(logs.events("account.divergence")).toEqual([]);
    expect(logs.events("account.converged")).toEqual([]);
  });

  it("shows IB's figures beside the ledger's, with the account id masked", () => {
    const { ledger, source, monitor } = setUp();
    ledger.markPrice("AAPL", 50.5);
    source.publish(ibPosition(100, 5100, 99));

    const view = monitor.view();
    expect(view.account).toBe("DU***567");
    const [aapl] = view.positions;
    expect(aapl?.ib?.unrealizedPnl?.toString()).toBe("99");
    expect(aapl?.ibMark?.toString()).toBe("51");
    expect(aapl?.ours.quantity.toString()).toBe("100");
    expect(aapl?.ours.unrealizedPnl.toString()).toBe("50");
    expect(aapl?.ours.commissionInCost.toString()).toBe("1");
    expect(view.ours.cash.toString()).toBe("94999");
  });

  it("stops checking once stopped", () => {
    const { source, monitor } = setUp();
    monitor.stop();
    source.publish(ibPosition(100, 5100, 120));

    expect(monitor.stats().checks).toBe(0);
  });
});

describe("CommissionInCost", () => {
  const AAPL = BUILT_IN_INSTRUMENTS.find((instrument) => instrument.symbol === "AAPL")!;

  const fillArbitrary = fc.record({
    side: fc.constantFrom<OrderSide>("BUY", "SELL"),
    quantity: fc.integer({ min: 1, max: 500 }),
    cents: fc.integer({ min: 1_000, max: 20_000 }),
    commissionCents: fc.integer({ min: 0, max: 500 }),
  });

  it("carries what IB's average cost carries beyond our cost basis, through adds, partial closes and reversals", () => {
    fc.assert(
      fc.property(fc.array(fillArbitrary, { minLength: 1, maxLength: 30 }), (fills) => {
        const ib = new AccountLedger(ACCOUNT, new Decimal(1_000_000));
        const ours = new Portfolio({ initialCash: new Decimal(1_000_000) });
        const inCost = new CommissionInCost();
        for (const [index, item] of fills.entries()) {
          const fill = aFill(item.side, item.quantity, item.cents / 100, item.commissionCents / 100);
          ib.applyFill({ instrument: AAPL, ...fill, timeMs: START_MS + index });
          ours.applyFill(fill);
          inCost.recordFill(fill);
          const ibPosition = ib.position(AAPL.conId)!;
          const position = ours.position("AAPL");
          const expected =
            position === undefined
              ? new Decimal(0)
              : ibPosition.averageCost.minus(position.averageCost).times(position.quantity);
          expect(inCost.of("AAPL").minus(expected).abs().toNumber()).toBeLessThan(1e-9);
        }
      }),
    );
  });

  it("adds a commission that arrives after its fill as if it had come with it", () => {
    fc.assert(
      fc.property(fc.array(fillArbitrary, { minLength: 1, maxLength: 20 }), fc.nat(), (fills, pick) => {
        const onTime = new CommissionInCost();
        const late = new CommissionInCost();
        const lateIndex = pick % fills.length;
        let lateFill: Fill | undefined;
        for (const [index, item] of fills.entries()) {
          const fill = aFill(item.side, item.quantity, item.cents / 100, item.commissionCents / 100);
          onTime.recordFill(fill);
          if (index === lateIndex) lateFill = fill;
          late.recordFill(index === lateIndex ? { ...fill, commission: new Decimal(0) } : fill);
        }
        late.recordLateCommission(lateFill!.fillId, lateFill!.commission);
        late.recordLateCommission(lateFill!.fillId, lateFill!.commission);
        expect(late.of("AAPL").minus(onTime.of("AAPL")).abs().toNumber()).toBeLessThan(1e-9);
      }),
    );
  });

  it("books a fill once however often it is recorded", () => {
    const inCost = new CommissionInCost();
    const buy = aFill("BUY", 100, 50, 1);
    inCost.recordFill(buy);
    inCost.recordFill(buy);

    expect(inCost.of("AAPL").toString()).toBe("1");
  });

  it("keeps the opening commission of a short position, which IB deducts from its average proceeds", () => {
    const inCost = new CommissionInCost();
    inCost.recordFill(aFill("SELL", 100, 50, 1));
    inCost.recordFill(aFill("BUY", 40, 49, 1));

    expect(inCost.of("AAPL").toString()).toBe("0.6");
  });
});
