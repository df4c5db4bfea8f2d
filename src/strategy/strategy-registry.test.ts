import { describe, expect, it } from "vitest";
import { StrategyError } from "../core/errors.js";
import { StrategyRegistry } from "./strategy-registry.js";

const registry = new StrategyRegistry();

describe("StrategyRegistry", () => {
  it("lists the strategy files that ship with the project", () => {
    expect(registry.listFiles()).toEqual(["buy-and-hold", "sma-crossover"]);
  });

  it("loads a strategy by its file name or by an alias", async () => {
    expect((await registry.find("sma-crossover")).name).toBe("sma-crossover");
    expect((await registry.find("sma")).name).toBe("sma-crossover");
  });

  it("fills in default parameters and coerces text values", async () => {
    const loaded = await registry.load("sma", { fast: "5" }, { symbols: ["SPY"] });
    expect(loaded.params).toEqual({ fast: 5, slow: 30, direction: "long-only" });
  });

  it("names the known strategies when the name is unknown", async () => {
    await expect(registry.find("macd")).rejects.toThrow(
      'unknown strategy "macd": use one of buy-and-hold, sma-crossover, sma',
    );
  });

  it("rejects an unknown parameter and lists the strategy's parameters", async () => {
    await expect(registry.load("sma", { speed: "3" }, { symbols: ["SPY"] })).rejects.toThrow(
      /^strategy sma-crossover: unknown parameter "speed"; parameters: fast: /,
    );
  });

  it("rejects a fast window that is not smaller than the slow one", async () => {
    await expect(registry.load("sma", { fast: "30", slow: "10" }, { symbols: ["SPY"] })).rejects.toThrow(
      /parameter "fast"="30" is invalid: fast must be smaller than slow/,
    );
  });

  it("rejects a parameter that is not a number with a StrategyError code", async () => {
    const failure = registry.load("sma", { slow: "many" }, { symbols: ["SPY"] });
    await expect(failure).rejects.toBeInstanceOf(StrategyError);
    await expect(failure).rejects.toMatchObject({ code: "STRATEGY_PARAMS_INVALID" });
  });

  it("refuses fixed quantity and fraction sizing together", async () => {
    await expect(
      registry.load("sma", { quantity: "10", fraction: "0.5" }, { symbols: ["SPY"] }),
    ).rejects.toThrow(/give quantity \(fixed shares\) or fraction \(of equity\), not both/);
  });
});
