import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { BUILT_IN_INSTRUMENTS } from "../market/instrument-universe.js";
import type { SimInstrument } from "../market/sim-instrument.js";
import { AccountLedger, type LedgerFill } from "./account-ledger.js";

const AAPL: SimInstrument = BUILT_IN_INSTRUMENTS.find((instrument) => instrument.symbol === "AAPL")!;
const TIME = Date.UTC(2024, 0, 2, 15, 0, 0);

function fill(side: "BUY" | "SELL", quantity: number, price: number, commission: number): LedgerFill {
  return {
    instrument: AAPL,
    side,
    quantity: new Decimal(quantity),
    price: new Decimal(price),
    commission: new Decimal(commission),
    timeMs: TIME,
  };
}

describe("AccountLedger", () => {
  it("charges a buy's cost and commission to cash and folds the commission into the average cost", () => {
    const ledger = new AccountLedger("DU1", new Decimal(1_000_000));
    expect(ledger.applyFill(fill("BUY", 100, 201.94, 1))).toBeUndefined();
    expect(ledger.cash.toString()).toBe("979805");
    expect(ledger.position(AAPL.conId)?.averageCost.toString()).toBe("201.95");
  });

  it("realizes P&L net of the commissions of both sides when a position is reduced", () => {
    const ledger = new AccountLedger("DU1", new Decimal(1_000_000));
    ledger.applyFill(fill("BUY", 100, 200, 1));
    const realized = ledger.applyFill(fill("SELL", 40, 210, 1));
    // 40 × (210 − 200.01) − 1 = 398.6
    expect(realized?.toString()).toBe("398.6");
    expect(ledger.position(AAPL.conId)?.quantity.toString()).toBe("60");
    expect(ledger.position(AAPL.conId)?.averageCost.toString()).toBe("200.01");
  });

  it("turns a sale beyond the position into a short with its own average price", () => {
    const ledger = new AccountLedger("DU1", new Decimal(1_000_000));
    ledger.applyFill(fill("BUY", 10, 100, 1));
    const realized = ledger.applyFill(fill("SELL", 30, 110, 3));
    const position = ledger.position(AAPL.conId);
    expect(realized?.toString()).toBe("98"); // 10 × (110 − 100.1) − 1
    expect(position?.quantity.toString()).toBe("-20");
    expect(position?.averageCost.toString()).toBe("109.9"); // proceeds net of commission per share
  });

  it("refuses an execution without shares", () => {
    const ledger = new AccountLedger("DU1", new Decimal(0));
    expect(() => ledger.applyFill(fill("BUY", 0, 1, 0))).toThrow(InvariantError);
  });

  it("conserves cash plus position value over any round trip: the loss is the commissions, the rest is price (seed 42)", () => {
    const trade = fc.record({
      side: fc.constantFrom<"BUY" | "SELL">("BUY", "SELL"),
      quantity: fc.integer({ min: 1, max: 500 }),
      cents: fc.integer({ min: 100, max: 100_000 }),
      commissionCents: fc.integer({ min: 0, max: 500 }),
    });
    fc.assert(
      fc.property(
        fc.array(trade, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 100, max: 100_000 }),
        (trades, closeCents) => {
          const ledger = new AccountLedger("DU1", new Decimal(1_000_000));
          let commissions = new Decimal(0);
          let priceMove = new Decimal(0);
          const close = new Decimal(closeCents).dividedBy(100);
          for (const t of trades) {
            const price = new Decimal(t.cents).dividedBy(100);
            const commission = new Decimal(t.commissionCents).dividedBy(100);
            ledger.applyFill(fill(t.side, t.quantity, price.toNumber(), commission.toNumber()));
            commissions = commissions.plus(commission);
            const signed = t.side === "BUY" ? t.quantity : -t.quantity;
            priceMove = priceMove.plus(close.minus(price).times(signed));
          }
          const position = ledger.position(AAPL.conId);
          const equity = ledger.cash.plus(position?.quantity.times(close) ?? 0);
          expect(equity.toString()).toBe(
            new Decimal(1_000_000).plus(priceMove).minus(commissions).toString(),
          );
          // Realized plus unrealized P&L explain the same change.
          const unrealized = close.minus(position?.averageCost ?? 0).times(position?.quantity ?? 0);
          const total = (position?.realizedPnl ?? new Decimal(0)).plus(unrealized);
          expect(total.minus(priceMove.minus(commissions)).abs().lessThan(1e-9)).toBe(true);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});
