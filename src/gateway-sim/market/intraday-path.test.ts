import { describe, expect, it } from "vitest";
import { BARS_PER_SESSION, IntradayPath, centsOfLogPrice, type IntradayPathInputs } from "./intraday-path.js";

const INPUTS: IntradayPathInputs = {
  seed: 11,
  symbol: "AAPL",
  dayNumber: 20_171,
  previousLogClose: Math.log(240),
  logClose: Math.log(243.5),
  dailyVolatility: 0.28 / Math.sqrt(252),
  averageDailyVolume: 50_000_000,
};

describe("IntradayPath", () => {
  it("ends the session exactly at the day's close in cents", () => {
    const path = new IntradayPath().generate(INPUTS);
    expect(path.points[BARS_PER_SESSION]).toBe(centsOfLogPrice(INPUTS.logClose));
    expect(path.summary.closeCents).toBe(24_350);
  });

  it("produces only valid bars: high above and low below open and close, positive volume and trades", () => {
    const path = new IntradayPath().generate(INPUTS);
    const broken: number[] = [];
    for (let i = 0; i < BARS_PER_SESSION; i++) {
      const open = path.points[i] ?? 0;
      const close = path.points[i + 1] ?? 0;
      const high = path.highs[i] ?? 0;
      const low = path.lows[i] ?? 0;
      const typicalTimesVolume = ((open + high + low + close) * (path.volumes[i] ?? 0)) / 4;
      const valid =
        high >= Math.max(open, close) &&
        low <= Math.min(open, close) &&
        low >= 1 &&
        (path.volumes[i] ?? 0) >= 1 &&
        (path.counts[i] ?? 0) >= 1 &&
        Math.abs((path.turnovers[i] ?? 0) - typicalTimesVolume) <= 0.5;
      if (!valid) broken.push(i);
    }
    expect(broken).toEqual([]);
  });

  it("reaches beyond the open and close within most bars, for a daily range of a few percent", () => {
    const path = new IntradayPath().generate(INPUTS);
    let highAbove = 0;
    let lowBelow = 0;
    for (let i = 0; i < BARS_PER_SESSION; i++) {
      const open = path.points[i] ?? 0;
      const close = path.points[i + 1] ?? 0;
      if ((path.highs[i] ?? 0) > Math.max(open, close)) highAbove++;
      if ((path.lows[i] ?? 0) < Math.min(open, close)) lowBelow++;
    }
    expect(highAbove / BARS_PER_SESSION).toBeGreaterThan(0.5);
    expect(lowBelow / BARS_PER_SESSION).toBeGreaterThan(0.5);
    const { highCents, lowCents, openCents } = path.summary;
    expect((highCents - lowCents) / openCents).toBeGreaterThan(0.003);
    expect((highCents - lowCents) / openCents).toBeLessThan(0.1);
  });

  it("sums its bars into the session summary", () => {
    const path = new IntradayPath().generate(INPUTS);
    const volume = path.volumes.reduce((sum, value) => sum + value, 0);
    expect(path.summary).toMatchObject({
      openCents: path.points[0],
      highCents: Math.max(...path.highs),
      lowCents: Math.min(...path.lows),
      volume,
      count: path.counts.reduce((sum, value) => sum + value, 0),
    });
    expect(path.cumulativeVolumes[BARS_PER_SESSION]).toBe(volume);
  });

  it("regenerates the identical path for the same inputs, even after another day", () => {
    const path = new IntradayPath();
    const first = Array.from(path.generate(INPUTS).highs);
    path.generate({ ...INPUTS, dayNumber: INPUTS.dayNumber + 1 });
    expect(Array.from(path.generate(INPUTS).highs)).toEqual(first);
  });

  it("trades about the average daily volume, busier near the open than at midday", () => {
    const path = new IntradayPath().generate(INPUTS);
    expect(path.summary.volume).toBeGreaterThan(15_000_000);
    expect(path.summary.volume).toBeLessThan(150_000_000);
    const firstHalfHour = path.volumes.slice(0, 360).reduce((sum, value) => sum + value, 0);
    const middleHalfHour = path.volumes.slice(2160, 2520).reduce((sum, value) => sum + value, 0);
    expect(firstHalfHour).toBeGreaterThan(2 * middleHalfHour);
  });
});
