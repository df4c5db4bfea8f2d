import { describe, expect, it } from "vitest";
import { BUILT_IN_INSTRUMENTS, InstrumentUniverse } from "./instrument-universe.js";
import { SYNTHETIC_CON_ID_BASE, syntheticInstruments } from "./synthetic-instruments.js";

describe("syntheticInstruments", () => {
  it("names a hundred instruments SIM001…SIM100 with conIds from the reserved base", () => {
    const instruments = syntheticInstruments(100);
    expect(instruments).toHaveLength(100);
    expect(instruments[0]).toMatchObject({ symbol: "SIM001", conId: SYNTHETIC_CON_ID_BASE + 1 });
    expect(instruments[99]).toMatchObject({ symbol: "SIM100", conId: SYNTHETIC_CON_ID_BASE + 100 });
  });

  it("builds the same instrument for a number whatever the count", () => {
    expect(syntheticInstruments(5)[4]).toEqual(syntheticInstruments(200)[4]);
  });

  it("keeps conIds clear of the built-in ones and within a 32-bit int", () => {
    const instruments = syntheticInstruments(999);
    const highestBuiltIn = Math.max(...BUILT_IN_INSTRUMENTS.map((instrument) => instrument.conId));
    expect(Math.min(...instruments.map((instrument) => instrument.conId))).toBeGreaterThan(highestBuiltIn);
    expect(Math.max(...instruments.map((instrument) => instrument.conId))).toBeLessThan(2 ** 31);
  });

  it("draws realistic prices, volatilities and volumes without an ISIN", () => {
    for (const instrument of syntheticInstruments(100)) {
      expect(instrument.startPrice).toBeGreaterThanOrEqual(10);
      expect(instrument.startPrice).toBeLessThanOrEqual(500);
      expect(instrument.annualVolatility).toBeGreaterThanOrEqual(0.15);
      expect(instrument.annualVolatility).toBeLessThanOrEqual(0.6);
      expect(instrument.averageDailyVolume).toBeGreaterThanOrEqual(500_000);
      expect(instrument.isin).toBeUndefined();
    }
  });

  it("joins the built-in instruments in one universe", () => {
    const universe = new InstrumentUniverse([...BUILT_IN_INSTRUMENTS, ...syntheticInstruments(100)]);
    expect(universe.lookup("sim042", "STK", "SMART", "USD")?.conId).toBe(SYNTHETIC_CON_ID_BASE + 42);
    expect(universe.lookup("AAPL")?.conId).toBe(265598);
  });

  it("refuses more instruments than six-character symbols allow", () => {
    expect(() => syntheticInstruments(1000)).toThrow(RangeError);
    expect(() => syntheticInstruments(-1)).toThrow(RangeError);
  });
});
