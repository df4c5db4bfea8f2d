import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import { DailyCycleGuard, parseGatewayRestartTime, parseResetWindows } from "../data/daily-cycle.js";
import { MarketGate as HoursAndCycleGate } from "../data/market-gate.js";
import { TradingHours } from "../data/trading-hours.js";
import type { Bar } from "../model/bar.js";
import type { QualifiedContract } from "../model/qualified-contract.js";
import type { MarketGate } from "./daemon.js";

/** Reads the daily-cycle keys (IB_RESET_WINDOW, GATEWAY_RESTART_TIME, ORDER_QUIET_MINUTES); ConfigError if bad. */
export function dailyCycleFromConfig(config: Config): DailyCycleGuard {
  return new DailyCycleGuard({
    resetWindows: parseResetWindows(config.orders.resetWindow, "IB_RESET_WINDOW"),
    gatewayRestart: parseGatewayRestartTime(
      config.orders.gatewayRestartTime,
      config.ibkr.timeZone,
      "GATEWAY_RESTART_TIME",
    ),
    quietMarginMinutes: config.orders.quietMinutes,
  });
}

/**
 * The daemon's market gate: bars only inside each contract's trading hours (IB's liquidHours, from contract
 * details), orders only inside them and outside the quiet period around IB's nightly reset and the Gateway's
 * restart. A contract whose hours IB sent malformed is logged and gated by the NYSE regular session.
 */
export function daemonMarketGate(
  contracts: ReadonlyMap<string, QualifiedContract>,
  cycle: DailyCycleGuard,
  logger: Logger,
): MarketGate {
  const hours = new Map<string, TradingHours>();
  for (const [symbol, contract] of contracts) {
    try {
      hours.set(symbol, TradingHours.parse(contract));
    } catch (error) {
      logger.error(
        {
          event: "contract.hours_invalid",
          symbol,
          error: error instanceof Error ? error.message : String(error),
        },
        "trading hours unreadable: using the NYSE regular session",
      );
      hours.set(symbol, TradingHours.parse({ ...contract, liquidHours: "", tradingHours: "" }));
    }
  }
  const gate = new HoursAndCycleGate({ dailyCycle: cycle, hoursOf: (symbol) => hours.get(symbol) });
  return {
    barRefused: (bar: Bar) => {
      const symbolHours = hours.get(bar.symbol);
      if (symbolHours === undefined) return `no trading hours for ${bar.symbol}`;
      const decision = gate.barAccepted(bar, symbolHours);
      return decision.allowed ? undefined : decision.reason;
    },
    orderRefused: (symbol: string, timeMs: number) => {
      const decision = gate.orderAllowed(symbol, timeMs);
      return decision.allowed ? undefined : decision.reason;
    },
  };
}
