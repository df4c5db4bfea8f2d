import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aTempFile, barsFromCloses } from "../../test/kit/bars.js";
import { DataIntegrityError, TraderError } from "../core/errors.js";
import { readCsvBars } from "./csv-bar-reader.js";
import { writeCsvBars } from "./csv-bar-writer.js";
import { generateSyntheticBars } from "./synthetic-bar-source.js";

function aPath(): string {
  return aTempFile("", "placeholder.csv").replace(/placeholder\.csv$/, "written.csv");
}

describe("writeCsvBars", () => {
  it("writes a header and one ISO UTC row per bar", () => {
    const path = aPath();
    const count = writeCsvBars(path, barsFromCloses("100 101.5", { startMs: Date.UTC(2024, 0, 2, 14, 30) }));

    expect(count).toBe(2);
    expect(readFileSync(path, "utf8")).toBe(
      "Date,Open,High,Low,Close,Volume\n" +
        "2024-01-02T14:30:00Z,100,100,100,100,1000\n" +
        "2024-01-02T14:31:00Z,100,101.5,100,101.5,1000\n",
    );
  });

  it("round-trips bars through readCsvBars with identical numbers", () => {
    const bars = [
      ...generateSyntheticBars({ symbols: ["SPY"], seed: 5, startMs: Date.UTC(2024, 0, 2), count: 5000 }),
    ];
    const path = aPath();
    writeCsvBars(path, bars);

    expect([...readCsvBars({ path, symbol: "SPY", barSeconds: 60 })]).toEqual(bars);
  });

  it("keeps milliseconds when a bar does not open on a whole second", () => {
    const path = aPath();
    writeCsvBars(path, barsFromCloses("1", { startMs: Date.UTC(2024, 0, 2, 14, 30, 0, 250) }));
    expect(readFileSync(path, "utf8")).toContain("2024-01-02T14:30:00.250Z,");
  });

  it("refuses to mix symbols in one file", () => {
    const bars = [...barsFromCloses("1", { symbol: "SPY" }), ...barsFromCloses("1", { symbol: "QQQ" })];
    expect(() => writeCsvBars(aPath(), bars)).toThrow(DataIntegrityError);
  });

  it("reports a path it cannot write as an IO failure", () => {
    const path = join(aPath(), "missing-dir", "bars.csv");
    expect(() => writeCsvBars(path, [])).toThrow(TraderError);
  });
});
