import type { Logger } from "pino";
import { IbGateway } from "../adapters/ib/ib-gateway.js";
import type { IbSession } from "../adapters/ib/ib-connection-state.js";
import type { Config } from "../config/config.js";
import { isPaperAccountId, maskAccountId } from "../core/account-id.js";
import { GatewayError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import type { Scheduler } from "../core/scheduler.js";
import { sessionOf, sessionOfDayNumber } from "../data/trading-session.js";
import { newYorkDayNumber } from "../data/new-york-time.js";
import type { QualifiedContract } from "../model/qualified-contract.js";

/** One line of `ibkr-trader check`. */
export interface CheckResult {
  readonly name: "connect" | "accounts" | "contract" | "market data" | "history";
  readonly status: "pass" | "fail" | "skip";
  readonly detail: string;
}

const MARKET_DATA_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: "live",
  2: "frozen",
  3: "delayed",
  4: "delayed-frozen",
};

/** How long check waits for market data to say what type it is. */
const MARKET_DATA_WAIT_MS = 10_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The end of the latest regular session that has finished by `nowMs` (or `nowMs` inside a session). */
export function latestHistoryEndMs(nowMs: number): number {
  const current = sessionOf(nowMs);
  if (current !== undefined && nowMs >= current.openMs && nowMs < current.closeMs) return nowMs;
  for (let day = newYorkDayNumber(nowMs); ; day--) {
    const session = sessionOfDayNumber(day);
    if (session !== undefined && session.closeMs <= nowMs) return session.closeMs;
  }
}

/**
 * Checks that the configured gateway can be used: connect, accounts against the profile, one contract
 * lookup, the market data type in effect and one small history request. Each step is a pass/fail line with
 * the fix for a failure; later steps are skipped when connecting fails.
 */
export async function checkGateway(options: {
  readonly config: Config;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly onResult?: (result: CheckResult) => void;
}): Promise<readonly CheckResult[]> {
  const { config, scheduler, logger } = options;
  const results: CheckResult[] = [];
  const report = (result: CheckResult): void => {
    results.push(result);
    options.onResult?.(result);
  };
  const gateway = new IbGateway(config.ibkr, { scheduler, rng: new Rng(config.ibkr.clientId), logger });
  try {
    let session: IbSession;
    try {
      session = await gateway.connection.start({ retry: false });
    } catch (error) {
      report({ name: "connect", status: "fail", detail: message(error) });
      for (const name of ["accounts", "contract", "market data", "history"] as const) {
        report({ name, status: "skip", detail: "not connected" });
      }
      return results;
    }
    report({
      name: "connect",
      status: "pass",
      detail: `${session.host}:${session.port} as client id ${session.clientId}, server version ${session.serverVersion}`,
    });
    report(checkAccounts(config, session));
    const symbol = config.symbols[0] ?? "SPY";
    let contract: QualifiedContract | undefined;
    try {
      contract = await gateway.contracts.lookup(symbol);
      report({
        name: "contract",
        status: "pass",
        detail: `${symbol} is conId ${contract.conId} (${contract.primaryExchange || contract.exchange}, ${contract.currency})`,
      });
    } catch (error) {
      report({ name: "contract", status: "fail", detail: message(error) });
    }
    if (contract === undefined) {
      report({ name: "market data", status: "skip", detail: "no contract to ask about" });
      report({ name: "history", status: "skip", detail: "no contract to ask about" });
      return results;
    }
    report(await checkMarketData(gateway, contract, config.ibkr.marketDataType, scheduler));
    report(await checkHistory(gateway, contract, scheduler));
    return results;
  } finally {
    gateway.connection.stop("check finished");
  }
}

function checkAccounts(config: Config, session: IbSession): CheckResult {
  const accounts = session.accounts;
  const shown = accounts.map(maskAccountId).join(", ");
  const expected = config.ibkr.accountType;
  const configured = config.ibkr.accountId;
  if (configured !== undefined && !accounts.includes(configured)) {
    return {
      name: "accounts",
      status: "fail",
      detail: `IBKR_ACCOUNT_ID ${maskAccountId(configured)} is not among the managed accounts (${shown}): set IBKR_ACCOUNT_ID to one of them`,
    };
  }
  const traded = configured ?? (accounts.length === 1 ? accounts[0] : undefined);
  if (traded === undefined) {
    return {
      name: "accounts",
      status: "fail",
      detail: `${accounts.length} managed accounts (${shown}): set IBKR_ACCOUNT_ID to the one to trade`,
    };
  }
  const paper = isPaperAccountId(traded);
  if (expected === "paper" && !paper) {
    return {
      name: "accounts",
      status: "fail",
      detail: `account ${maskAccountId(traded)} looks live (paper ids start with DU) but the profile is paper: connect to the paper TWS/Gateway (ports 7497/4002) or use --profile live`,
    };
  }
  if (expected === "live" && paper) {
    return {
      name: "accounts",
      status: "fail",
      detail: `account ${maskAccountId(traded)} is a paper account but the profile is live: connect to the live TWS/Gateway (ports 7496/4001) or use --profile paper`,
    };
  }
  return {
    name: "accounts",
    status: "pass",
    detail: `${shown}; trading ${maskAccountId(traded)}, a ${paper ? "paper" : "live"} account as the ${expected} profile expects`,
  };
}

function checkMarketData(
  gateway: IbGateway,
  contract: QualifiedContract,
  requested: 1 | 2 | 3 | 4,
  scheduler: Scheduler,
): Promise<CheckResult> {
  return new Promise<CheckResult>((resolve) => {
    let done = false;
    const finish = (result: CheckResult): void => {
      if (done) return;
      done = true;
      cancelTimer();
      subscription?.stop();
      resolve(result);
    };
    const cancelTimer = scheduler.setTimer(MARKET_DATA_WAIT_MS, () => {
      finish({
        name: "market data",
        status: "fail",
        detail: `no market data for ${contract.symbol} within ${MARKET_DATA_WAIT_MS / 1000} s (requested type ${requested}): check the market data subscriptions of the account`,
      });
    });
    let subscription: { stop(): void } | undefined;
    try {
      subscription = gateway.marketData.ticks(
        contract,
        requested,
        () => undefined,
        (type) => {
          finish({
            name: "market data",
            status: "pass",
            detail: `type ${type} (${MARKET_DATA_TYPE_NAMES[type] ?? "unknown"}) in effect for ${contract.symbol}; requested ${requested} (${MARKET_DATA_TYPE_NAMES[requested] ?? "unknown"})`,
          });
        },
        (error) => {
          const fix =
            error instanceof GatewayError &&
            error.ibCode !== undefined &&
            [354, 10089, 10168, 10186].includes(error.ibCode)
              ? requested === 3
                ? "enable delayed market data for the account, or subscribe to US market data in Account Management"
                : "subscribe to US market data for API use in Account Management, or set IBKR_MARKET_DATA_TYPE=3 for delayed data"
              : "see IB's message";
          finish({ name: "market data", status: "fail", detail: `${error.message}: ${fix}` });
        },
      );
    } catch (error) {
      finish({ name: "market data", status: "fail", detail: message(error) });
    }
  });
}

async function checkHistory(
  gateway: IbGateway,
  contract: QualifiedContract,
  scheduler: Scheduler,
): Promise<CheckResult> {
  const endMs = latestHistoryEndMs(scheduler.nowMs());
  const endMinute = endMs - (endMs % 60_000);
  try {
    const bars = await gateway.history.fetchHistory({
      symbol: contract.symbol,
      conId: contract.conId,
      exchange: contract.exchange,
      barSizeSetting: "1 min",
      barSeconds: 60,
      durationStr: "1800 S",
      startMs: endMinute - 1_800_000,
      endMs: endMinute,
      whatToShow: "TRADES",
      useRth: true,
    });
    if (bars.length === 0) {
      return {
        name: "history",
        status: "fail",
        detail: `IB returned no 1-minute bars for ${contract.symbol} in the 30 minutes to ${new Date(endMinute).toISOString()}: check the account's market data permissions`,
      };
    }
    return {
      name: "history",
      status: "pass",
      detail: `${bars.length} 1-minute bars for ${contract.symbol} in the 30 minutes to ${new Date(endMinute).toISOString()}`,
    };
  } catch (error) {
    const fix =
      error instanceof GatewayError && error.code === "PACING_VIOLATION"
        ? "wait 10 minutes: other programs on this account are using up IB's history pacing"
        : "check the account's market data permissions for historical data";
    return { name: "history", status: "fail", detail: `${message(error)}: ${fix}` };
  }
}
