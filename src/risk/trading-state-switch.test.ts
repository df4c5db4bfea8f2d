import { describe, expect, it } from "vitest";
import { TradingStateSwitch, type TradingStateChange } from "./trading-state-switch.js";

describe("TradingStateSwitch", () => {
  it("starts in the configured state, naming RISK_TRADING_STATE as the reason", () => {
    const tradingState = new TradingStateSwitch("halted");

    expect(tradingState.state()).toBe("halted");
    expect(tradingState.reason()).toBe("RISK_TRADING_STATE is halted");
  });

  it("switches at run time and remembers why", () => {
    const tradingState = new TradingStateSwitch("active");

    const changed = tradingState.set("halted", "operator: broker outage");

    expect(changed).toBe(true);
    expect(tradingState.state()).toBe("halted");
    expect(tradingState.reason()).toBe("operator: broker outage");
  });

  it("tells listeners where the state came from, where it went and why", () => {
    const tradingState = new TradingStateSwitch("active");
    const changes: TradingStateChange[] = [];
    tradingState.onChange((change) => changes.push(change));

    tradingState.set("reducing-only", "daily loss");

    expect(changes).toEqual([{ from: "active", to: "reducing-only", reason: "daily loss" }]);
  });

  it("ignores a switch to the state it is already in, keeping the first reason", () => {
    const tradingState = new TradingStateSwitch("active");
    const changes: TradingStateChange[] = [];
    tradingState.onChange((change) => changes.push(change));

    const changed = tradingState.set("active", "again");

    expect(changed).toBe(false);
    expect(tradingState.reason()).toBe("RISK_TRADING_STATE is active");
    expect(changes).toEqual([]);
  });

  it("stops telling a listener once it is removed", () => {
    const tradingState = new TradingStateSwitch("active");
    const changes: TradingStateChange[] = [];
    const remove = tradingState.onChange((change) => changes.push(change));

    remove();
    tradingState.set("halted", "operator");

    expect(changes).toEqual([]);
  });
});
