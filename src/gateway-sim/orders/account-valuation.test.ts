import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { BUILT_IN_INSTRUMENTS } from "../market/instrument-universe.js";
import { MarketModel } from "../market/market-model.js";
import type { SimInstrument } from "../market/sim-instrument.js";
import { AccountLedger } from "./account-ledger.js";
import { AccountValuer } from "./account-valuation.js";

const instrument = (symbol: string): SimInstrument =>
  BUILT_IN_INSTRUMENTS.find((candidate) => candidate.symbol === symbol)!;
const AAPL = instrument("AAPL");
const MSFT = instrument("MSFT");
const SPY = instrument("SPY");
/** Tuesday 2024-01-02 10:00 New York, and the next morning. */
const TUESDAY = Date.UTC(2024, 0, 2, 15, 0, 0);
const WEDNESDAY = Date.UTC(2024, 0, 3, 15, 0, 0);

function aLedger(): AccountLedger {
  const ledger = new AccountLedger("DU1", new Decimal(1_000_000));
  const fill = (what: SimInstrument, side: "BUY" | "SELL", quantity: number): void => {
    ledger.applyFill({
      instrument: what,
      side,
      quantity: new Decimal(quantity),
      price: new Decimal(100),
      commission: new Decimal(1),
      timeMs: TUESDAY,
    });
  };
  fill(AAPL, "BUY", 10);
  fill(MSFT, "BUY", 5);
  fill(MSFT, "SELL", 5);
  return ledger;
}

describe("AccountValuer.valueOne", () => {
  const valuer = new AccountValuer(new MarketModel({ seed: 11 }));

  it("values one position exactly as the whole account lists it", () => {
    const ledger = aLedger();
    for (const timeMs of [TUESDAY + 60_000, WEDNESDAY]) {
      const listed = valuer.value(ledger, timeMs).positions;
      for (const conId of [AAPL.conId, MSFT.conId]) {
        expect(valuer.valueOne(ledger, conId, timeMs)).toEqual(
          listed.find((valuation) => valuation.position.instrument.conId === conId),
        );
      }
    }
  });

  it("leaves out what the account does not list: a symbol never traded, a flat one traded another day", () => {
    const ledger = aLedger();
    expect(valuer.valueOne(ledger, SPY.conId, TUESDAY)).toBeUndefined();
    expect(valuer.valueOne(ledger, MSFT.conId, TUESDAY)?.position.quantity.toString()).toBe("0");
    expect(valuer.valueOne(ledger, MSFT.conId, WEDNESDAY)).toBeUndefined();
  });
});
