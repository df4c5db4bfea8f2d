import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvariantError } from "../core/errors.js";
import type { Fill } from "../model/fill.js";
import type { OrderSide } from "../model/order.js";
import { buildRoundTrips } from "./round-trip-trades.js";

let nextId = 0;
function fill(
  symbol: string,
  side: OrderSide,
  quantity: string,
  price: string,
  commission: string,
  time: number,
): Fill {
  nextId += 1;
  return {
    fillId: `f${nextId}`,
    orderId: `o${nextId}`,
    symbol,
    side,
    quantity: new Decimal(quantity),
    price: new Decimal(price),
    commission: new Decimal(commission),
    time,
  };
}

function plain(value: Decimal | undefined): string | undefined {
  return value?.toFixed();
}

describe("buildRoundTrips", () => {
  it("reports a buy followed by a sell of the same size as one closed long trip", () => {
    const fills = [fill("SPY", "BUY", "10", "100", "1", 1000), fill("SPY", "SELL", "10", "110", "1.5", 2000)];

    const { closed, open } = buildRoundTrips(fills);

    expect(open).toEqual([]);
    expect(closed).toHaveLength(1);
    const trip = closed[0]!;
    expect(trip.symbol).toBe("SPY");
    expect(trip.direction).toBe("LONG");
    expect(trip.entryTime).toBe(1000);
    expect(trip.exitTime).toBe(2000);
    expect(plain(trip.quantity)).toBe("10");
    expect(plain(trip.averageEntryPrice)).toBe("100");
    expect(plain(trip.averageExitPrice)).toBe("110");
    expect(plain(trip.grossPnl)).toBe("100");
    expect(plain(trip.commissions)).toBe("2.5");
    expect(plain(trip.netPnl)).toBe("97.5");
  });

  it("reports a sell followed by a buy as a short trip that profits when the price falls", () => {
    const fills = [fill("QQQ", "SELL", "5", "50", "0.5", 1), fill("QQQ", "BUY", "5", "40", "0.5", 2)];

    const { closed } = buildRoundTrips(fills);

    expect(closed).toHaveLength(1);
    expect(closed[0]!.direction).toBe("SHORT");
    expect(plain(closed[0]!.grossPnl)).toBe("50");
    expect(plain(closed[0]!.netPnl)).toBe("49");
  });

  it("splits a fill that crosses zero into a close and an opposite open, with commission pro rata by quantity", () => {
    const fills = [
      fill("SPY", "BUY", "10", "100", "1", 1),
      fill("SPY", "SELL", "30", "90", "3", 2),
      fill("SPY", "BUY", "20", "80", "2", 3),
    ];

    const { closed, open } = buildRoundTrips(fills);

    expect(open).toEqual([]);
    expect(closed).toHaveLength(2);
    const [long, short] = [closed[0]!, closed[1]!];
    expect(long.direction).toBe("LONG");
    expect(long.exitTime).toBe(2);
    expect(plain(long.quantity)).toBe("10");
    expect(plain(long.grossPnl)).toBe("-100");
    expect(plain(long.commissions)).toBe("2");
    expect(plain(long.netPnl)).toBe("-102");
    expect(short.direction).toBe("SHORT");
    expect(short.entryTime).toBe(2);
    expect(short.exitTime).toBe(3);
    expect(plain(short.quantity)).toBe("20");
    expect(plain(short.averageEntryPrice)).toBe("90");
    expect(plain(short.averageExitPrice)).toBe("80");
    expect(plain(short.grossPnl)).toBe("200");
    expect(plain(short.commissions)).toBe("4");
    expect(plain(short.netPnl)).toBe("196");
  });

  it("keeps one trip through scale-ins and partial exits, with volume-weighted prices and the largest size", () => {
    const fills = [
      fill("SPY", "BUY", "10", "100", "1", 1),
      fill("SPY", "BUY", "10", "110", "1", 2),
      fill("SPY", "SELL", "5", "120", "1", 3),
      fill("SPY", "BUY", "5", "100", "1", 4),
      fill("SPY", "SELL", "20", "115", "1", 5),
    ];

    const { closed } = buildRoundTrips(fills);

    expect(closed).toHaveLength(1);
    const trip = closed[0]!;
    expect(plain(trip.quantity)).toBe("20");
    expect(plain(trip.averageEntryPrice)).toBe("104"); // (1000 + 1100 + 500) / 25
    expect(plain(trip.averageExitPrice)).toBe("116"); // (600 + 2300) / 25
    expect(plain(trip.grossPnl)).toBe("300");
    expect(plain(trip.commissions)).toBe("5");
    expect(plain(trip.netPnl)).toBe("295");
    expect(trip.exitTime).toBe(5);
  });

  it("reports a position still held after the last fill as an open trip, not a closed trade", () => {
    const fills = [fill("SPY", "BUY", "10", "100", "1", 1), fill("SPY", "SELL", "4", "105", "0.4", 2)];

    const { closed, open } = buildRoundTrips(fills);

    expect(closed).toEqual([]);
    expect(open).toHaveLength(1);
    const trip = open[0]!;
    expect(trip.direction).toBe("LONG");
    expect(trip.entryTime).toBe(1);
    expect(trip.lastFillTime).toBe(2);
    expect(plain(trip.quantity)).toBe("10");
    expect(plain(trip.openQuantity)).toBe("6");
    expect(plain(trip.averageEntryPrice)).toBe("100");
    expect(plain(trip.averageExitPrice)).toBe("105");
    expect(plain(trip.realizedGrossPnl)).toBe("20");
    expect(plain(trip.commissions)).toBe("1.4");
    expect(plain(trip.realizedNetPnl)).toBe("18.6");
  });

  it("tracks each symbol's trips independently when their fills interleave", () => {
    const fills = [
      fill("SPY", "BUY", "1", "100", "0", 1),
      fill("QQQ", "SELL", "2", "50", "0", 2),
      fill("SPY", "SELL", "1", "101", "0", 3),
      fill("QQQ", "BUY", "2", "49", "0", 4),
    ];

    const { closed } = buildRoundTrips(fills);

    expect(closed.map((trip) => [trip.symbol, trip.direction, plain(trip.grossPnl)])).toEqual([
      ["SPY", "LONG", "1"],
      ["QQQ", "SHORT", "2"],
    ]);
  });

  it("rejects fills that are out of time order or have a non-positive quantity", () => {
    expect(() =>
      buildRoundTrips([fill("SPY", "BUY", "1", "1", "0", 2), fill("SPY", "SELL", "1", "1", "0", 1)]),
    ).toThrow(InvariantError);
    expect(() => buildRoundTrips([fill("SPY", "BUY", "0", "1", "0", 1)])).toThrow(InvariantError);
  });

  it("makes closed trips' net P&L add up to the cash flow of any fill history that ends flat", () => {
    const fillArbitrary = fc.record({
      symbol: fc.constantFrom("SPY", "QQQ"),
      side: fc.constantFrom<OrderSide>("BUY", "SELL"),
      quantity: fc.integer({ min: 1, max: 500 }),
      priceCents: fc.integer({ min: 100, max: 100_000 }),
      commissionCents: fc.integer({ min: 0, max: 500 }),
    });
    fc.assert(
      fc.property(fc.array(fillArbitrary, { maxLength: 40 }), (specs) => {
        const fills: Fill[] = specs.map((spec, index) =>
          fill(
            spec.symbol,
            spec.side,
            String(spec.quantity),
            (spec.priceCents / 100).toFixed(2),
            (spec.commissionCents / 100).toFixed(2),
            index,
          ),
        );
        const positions = new Map<string, Decimal>();
        for (const f of fills) {
          const signed = f.side === "BUY" ? f.quantity : f.quantity.neg();
          positions.set(f.symbol, (positions.get(f.symbol) ?? new Decimal(0)).plus(signed));
        }
        for (const [symbol, position] of positions) {
          if (!position.isZero()) {
            fills.push(
              fill(
                symbol,
                position.gt(0) ? "SELL" : "BUY",
                position.abs().toFixed(),
                "10",
                "1",
                fills.length,
              ),
            );
          }
        }
        let cashFlow = new Decimal(0);
        for (const f of fills) {
          const notional = f.quantity.times(f.price);
          cashFlow = cashFlow.plus(f.side === "SELL" ? notional : notional.neg()).minus(f.commission);
        }

        const { closed, open } = buildRoundTrips(fills);

        const netTotal = closed.reduce((sum, trip) => sum.plus(trip.netPnl), new Decimal(0));
        expect(open).toEqual([]);
        expect(netTotal.minus(cashFlow).abs().lt("1e-12")).toBe(true);
      }),
    );
  });
});
