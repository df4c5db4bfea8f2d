import { isPaperAccountId, maskAccountId } from "../core/account-id.js";
import { ConfigError, InvariantError } from "../core/errors.js";
import type { Config } from "./config.js";

/**
 * How a run treats orders:
 * - `paper` / `live`: the strategy's orders go to that kind of IB account;
 * - `simulated`: `BROKER=sim` (e.g. `make paper-ibkr`): the internal simulator fills them, none leaves the process;
 * - `read-only`: connect and stream, never send an order (not even to the simulator).
 */
export type TradingModeName = "paper" | "live" | "simulated" | "read-only";

/** The interlock's decision for one run; frozen. */
export interface TradingMode {
  /**
   * The account whose data, positions and state this run uses: one of the gateway's managed accounts.
   * Never log it as is: use `maskAccountId`.
   */
  readonly account: string;
  /** What the account id says the account is (paper ids start with DU). */
  readonly accountKind: "paper" | "live";
  readonly mode: TradingModeName;
  /**
   * Whether the strategy may submit orders at all: true for `paper`, `live` and `simulated` (the simulator
   * fills them), false only for `read-only`.
   */
  readonly ordersAllowed: boolean;
  /** Whether orders leave the process for the IB account: true only for `paper` and `live`. */
  readonly ordersReachAccount: boolean;
  /** Why, one line per signal checked, account ids masked: for the startup log. */
  readonly reasons: readonly string[];
}

/** What the interlock decides from: the config, the command line and what the connected gateway reported. */
export interface TradingModeInput {
  readonly config: Config;
  /** `--live` was given. */
  readonly liveFlag: boolean;
  /** `--read-only` was given. */
  readonly readOnly: boolean;
  /** The gateway's managed accounts (MANAGED_ACCTS), as it sent them. */
  readonly managedAccounts: readonly string[];
}

/** Which input of the interlock disagreed. */
export type InterlockSignal =
  "managed-accounts" | "account-id" | "profile" | "live-flag" | "live-confirm" | "account-kind";

/** One disagreeing signal and its one-clause explanation with the fix. */
export interface InterlockRefusal {
  readonly signal: InterlockSignal;
  readonly text: string;
}

/** The interlock refused to start; the message names each signal that disagreed and how to fix it. */
export class LiveInterlockError extends ConfigError {
  readonly signals: readonly InterlockSignal[];

  constructor(refusals: readonly InterlockRefusal[]) {
    super(refusals.map((refusal) => refusal.text).join("; "));
    this.signals = Object.freeze(refusals.map((refusal) => refusal.signal));
  }
}

const simulatedReason = "BROKER=sim: the internal simulator fills orders; no order leaves the process";

const refuse = (signal: InterlockSignal, text: string): LiveInterlockError =>
  new LiveInterlockError([{ signal, text }]);

/**
 * Decides which account a run uses and whether its orders may reach it. Orders reach a live account only
 * when the live profile (`--profile live` with `IBKR_ACCOUNT_TYPE=live`), `--live`, `IBKR_LIVE_CONFIRM` equal to
 * the connected account and a non-paper account all agree; the paper profile refuses a live-looking account.
 * `BROKER=sim` needs no live signal (no order leaves the process) and `--read-only` needs none and skips the
 * account-kind checks (no order at all); both still resolve the account, since state is kept per account.
 * Throws a one-line `LiveInterlockError` (exit code 2) on any disagreement.
 */
export function decideTradingMode(input: TradingModeInput): TradingMode {
  const { config, liveFlag, readOnly } = input;
  const ibkr = config.ibkr;
  if (liveFlag && config.profile === "paper") {
    throw refuse(
      "live-flag",
      "--live was given but the profile is paper: add --profile live to trade a live account, or drop --live",
    );
  }
  const { account, selection } = resolveAccount(config, input.managedAccounts);
  const paper = isPaperAccountId(account);
  const accountKind = paper ? "paper" : "live";
  const masked = maskAccountId(account);
  const accountReason = `${selection}, a ${accountKind} account`;

  if (readOnly) {
    return decided(account, accountKind, "read-only", [accountReason, "--read-only: no order is sent"]);
  }

  const accountTypeSource = config.sources.IBKR_ACCOUNT_TYPE ?? "default";
  if (config.profile === "paper") {
    if (ibkr.accountType !== "paper") {
      throw refuse(
        "profile",
        `IBKR_ACCOUNT_TYPE=live (from ${accountTypeSource}) needs the live profile: use --profile live, or set IBKR_ACCOUNT_TYPE=paper`,
      );
    }
    if (!paper) {
      throw refuse(
        "account-kind",
        `account ${masked} looks live (paper ids start with DU) but the profile is paper: connect to the paper TWS/Gateway (ports 7497/4002) or use --profile live`,
      );
    }
    const profileReason = `paper profile and a paper account ${masked}`;
    if (config.broker === "sim") {
      return decided(account, accountKind, "simulated", [accountReason, profileReason, simulatedReason]);
    }
    return decided(account, accountKind, "paper", [accountReason, profileReason]);
  }

  const profileRefusal: InterlockRefusal | undefined =
    ibkr.accountType === "live"
      ? undefined
      : {
          signal: "profile",
          text: `IBKR_ACCOUNT_TYPE=paper (from ${accountTypeSource}) contradicts the live profile: set IBKR_ACCOUNT_TYPE=live, or use --profile paper`,
        };
  const kindRefusal: InterlockRefusal | undefined = paper
    ? {
        signal: "account-kind",
        text: `account ${masked} is a paper account (DU…) but the profile is live: connect to the live TWS/Gateway (ports 7496/4001) or use --profile paper`,
      }
    : undefined;

  if (config.broker === "sim") {
    const refusals = [profileRefusal, kindRefusal].filter((refusal) => refusal !== undefined);
    if (refusals.length > 0) throw new LiveInterlockError(refusals);
    return decided(account, accountKind, "simulated", [
      accountReason,
      `live profile and a live account ${masked}`,
      simulatedReason,
    ]);
  }

  const refusals = [
    profileRefusal,
    liveFlag
      ? undefined
      : {
          signal: "live-flag" as const,
          text: `the live profile sends orders to ${masked} only with --live on the command line: add --live, or use --read-only to only watch`,
        },
    confirmRefusal(ibkr.liveConfirm, account, config.sources.IBKR_LIVE_CONFIRM),
    kindRefusal,
  ].filter((refusal) => refusal !== undefined);
  const [first, ...others] = refusals;
  if (first !== undefined) {
    throw new LiveInterlockError([{ ...first, text: `live orders refused: ${first.text}` }, ...others]);
  }
  return decided(account, accountKind, "live", [
    accountReason,
    "live profile (IBKR_ACCOUNT_TYPE=live)",
    "--live given",
    `IBKR_LIVE_CONFIRM names ${masked}`,
    `${masked} is not a paper account`,
  ]);
}

function confirmRefusal(
  liveConfirm: string | undefined,
  account: string,
  source: string | undefined,
): InterlockRefusal | undefined {
  const masked = maskAccountId(account);
  // A confirmation saved in a file confirms nothing about this run: it must be typed into the environment.
  if (liveConfirm !== undefined && source !== "environment" && source !== "flag") {
    return {
      signal: "live-confirm",
      text: `IBKR_LIVE_CONFIRM comes from ${source ?? "a file"}, not the environment: remove it from the file and set it when starting, e.g. IBKR_LIVE_CONFIRM=<account id> ibkr-trader run --profile live --live`,
    };
  }
  // The schema has trimmed IBKR_LIVE_CONFIRM and checked its shape: a confirmation must match exactly.
  const confirm = liveConfirm ?? "";
  if (confirm === "") {
    return {
      signal: "live-confirm",
      text: `IBKR_LIVE_CONFIRM is not set: set it to the live account id (${masked}) to confirm orders with real money`,
    };
  }
  if (confirm === account) return undefined;
  const named = maskAccountId(confirm);
  return {
    signal: "live-confirm",
    text:
      named === masked
        ? `IBKR_LIVE_CONFIRM names a different account from the connected ${masked}: set it to the connected account's id`
        : `IBKR_LIVE_CONFIRM names ${named}, not the connected account ${masked}: set it to the connected account's id`,
  };
}

/** The traded account: IBKR_ACCOUNT_ID when set (it must be managed), else the only managed account. */
function resolveAccount(
  config: Config,
  reported: readonly string[],
): { readonly account: string; readonly selection: string } {
  // MANAGED_ACCTS is one comma-separated field that may end with a comma (ibkr-facts.md §2.2).
  const managed = [...new Set(reported.map((id) => id.trim()).filter((id) => id !== ""))];
  const shown = managed.map(maskAccountId).join(", ");
  const configured = config.ibkr.accountId ?? "";
  if (configured !== "") {
    const account = managed.find((id) => id === configured);
    if (account === undefined) {
      const where = managed.length === 0 ? "the gateway reported no managed accounts" : `managed: ${shown}`;
      throw refuse(
        "account-id",
        `IBKR_ACCOUNT_ID ${maskAccountId(configured)} (from ${config.sources.IBKR_ACCOUNT_ID ?? "default"}) is not among the gateway's managed accounts (${where}): set IBKR_ACCOUNT_ID to one of them, or connect to the gateway that manages it`,
      );
    }
    return { account, selection: `IBKR_ACCOUNT_ID ${maskAccountId(account)} is managed by the gateway` };
  }
  const only = managed.length === 1 ? managed[0] : undefined;
  if (only !== undefined) {
    return { account: only, selection: `${maskAccountId(only)} is the only managed account` };
  }
  if (managed.length === 0) {
    throw refuse(
      "managed-accounts",
      "the gateway reported no managed accounts: log in to TWS/IB Gateway with a user that holds a trading account",
    );
  }
  throw refuse(
    "account-id",
    `the gateway manages ${managed.length} accounts (${shown}): set IBKR_ACCOUNT_ID to one of them`,
  );
}

function decided(
  account: string,
  accountKind: "paper" | "live",
  mode: TradingModeName,
  reasons: readonly string[],
): TradingMode {
  return Object.freeze({
    account,
    accountKind,
    mode,
    ordersAllowed: mode !== "read-only",
    ordersReachAccount: mode === "paper" || mode === "live",
    reasons: Object.freeze([...reasons]),
  });
}

/**
 * The SQLite state file (under DATA_DIR) for one mode and account, e.g. `state-paper-DU1234567.sqlite`: state
 * is never shared between modes or accounts, and a read-only watcher never writes a trading run's file. The
 * full account id is kept because masks collide (`U1234567` and `U1994567` are both `U1***567`) and a file
 * name on the user's disk is not a log line; log the path with the id masked.
 */
export function stateFileName(mode: TradingModeName, account: string): string {
  if (!/^[A-Za-z0-9]+$/.test(account)) {
    throw new InvariantError(`account id ${maskAccountId(account)} is not alphanumeric: no state file name`);
  }
  return `state-${mode}-${account}.sqlite`;
}
