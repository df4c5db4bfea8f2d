import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, InvariantError } from "../core/errors.js";
import type { InterlockSignal, TradingMode, TradingModeInput } from "./live-interlock.js";
import { decideTradingMode, LiveInterlockError, stateFileName } from "./live-interlock.js";
import { loadConfig } from "./load-config.js";

const PAPER = "DU1234567";
const OTHER_PAPER = "DU7654321";
const LIVE = "U1234567";
const OTHER_LIVE = "U7654321";
/** Masks to the same `U1***567` as LIVE. */
const LIVE_SAME_MASK = "U1994567";
const FULL_ACCOUNT_ID = /\b(DU|U)\d{7}\b/;

// Profile files like the committed ones, in a directory of their own so a developer's .env never leaks in.
const directory = mkdtempSync(join(tmpdir(), "ibkr-interlock-"));
writeFileSync(join(directory, ".env.ibkr.paper"), "IBKR_ACCOUNT_TYPE=paper\nBROKER=ibkr\n");
writeFileSync(join(directory, ".env.ibkr.live"), "IBKR_ACCOUNT_TYPE=live\nBROKER=ibkr\n");

function anInput(
  options: {
    profile?: "paper" | "live";
    env?: Record<string, string>;
    liveFlag?: boolean;
    readOnly?: boolean;
    managedAccounts?: readonly string[];
  } = {},
): TradingModeInput {
  return {
    config: loadConfig({ flags: {}, env: options.env ?? {}, directory, profile: options.profile ?? "paper" }),
    liveFlag: options.liveFlag ?? false,
    readOnly: options.readOnly ?? false,
    managedAccounts: options.managedAccounts ?? [PAPER],
  };
}

/** Every live signal agrees: live profile, --live, IBKR_LIVE_CONFIRM naming the live account, a U… account. */
const allLive = (env: Record<string, string> = {}): Parameters<typeof anInput>[0] => ({
  profile: "live",
  env: { IBKR_LIVE_CONFIRM: LIVE, ...env },
  liveFlag: true,
  managedAccounts: [LIVE],
});

function refusalOf(input: TradingModeInput): LiveInterlockError {
  try {
    decideTradingMode(input);
  } catch (error) {
    if (error instanceof LiveInterlockError) return error;
    throw error;
  }
  throw new Error("expected the interlock to refuse");
}

interface RefusalCase {
  readonly behaviour: string;
  readonly input: TradingModeInput;
  readonly signals: readonly InterlockSignal[];
  readonly says: string;
}

const refusals: readonly RefusalCase[] = [
  {
    behaviour: "refuses live orders when IBKR_ACCOUNT_TYPE says paper under the live profile",
    input: anInput(allLive({ IBKR_ACCOUNT_TYPE: "paper" })),
    signals: ["profile"],
    says: "IBKR_ACCOUNT_TYPE=paper (from environment) contradicts the live profile",
  },
  {
    behaviour: "refuses live orders without --live instead of falling back to read-only",
    input: anInput({ ...allLive(), liveFlag: false }),
    signals: ["live-flag"],
    says: "only with --live on the command line",
  },
  {
    behaviour: "refuses live orders when IBKR_LIVE_CONFIRM is not set",
    input: anInput({ ...allLive(), env: {} }),
    signals: ["live-confirm"],
    says: "IBKR_LIVE_CONFIRM is not set: set it to the live account id (U1***567)",
  },
  {
    behaviour: "refuses live orders when IBKR_LIVE_CONFIRM names another account",
    input: anInput(allLive({ IBKR_LIVE_CONFIRM: OTHER_LIVE })),
    signals: ["live-confirm"],
    says: "IBKR_LIVE_CONFIRM names U7***321, not the connected account U1***567",
  },
  {
    behaviour: "refuses live orders when IBKR_LIVE_CONFIRM names another account with the same mask",
    input: anInput(allLive({ IBKR_LIVE_CONFIRM: LIVE_SAME_MASK })),
    signals: ["live-confirm"],
    says: "IBKR_LIVE_CONFIRM names a different account from the connected U1***567",
  },
  {
    behaviour: "refuses live orders when the account is a paper account",
    input: anInput({ ...allLive({ IBKR_LIVE_CONFIRM: PAPER }), managedAccounts: [PAPER] }),
    signals: ["account-kind"],
    says: "account DU***567 is a paper account (DU…) but the profile is live",
  },
  {
    behaviour: "refuses a live-looking account under the paper profile",
    input: anInput({ managedAccounts: [LIVE] }),
    signals: ["account-kind"],
    says: "account U1***567 looks live (paper ids start with DU) but the profile is paper",
  },
  {
    behaviour: "refuses a live-looking account under the paper profile with simulated fills too",
    input: anInput({ env: { BROKER: "sim" }, managedAccounts: [LIVE] }),
    signals: ["account-kind"],
    says: "account U1***567 looks live",
  },
  {
    behaviour: "refuses IBKR_ACCOUNT_TYPE=live under the paper profile",
    input: anInput({ env: { IBKR_ACCOUNT_TYPE: "live" }, managedAccounts: [LIVE] }),
    signals: ["profile"],
    says: "IBKR_ACCOUNT_TYPE=live (from environment) needs the live profile",
  },
  {
    behaviour: "refuses --live with the paper profile",
    input: anInput({ liveFlag: true }),
    signals: ["live-flag"],
    says: "--live was given but the profile is paper",
  },
  {
    behaviour: "refuses --live with the paper profile even when read-only",
    input: anInput({ liveFlag: true, readOnly: true }),
    signals: ["live-flag"],
    says: "--live was given but the profile is paper",
  },
  {
    behaviour: "refuses an IBKR_ACCOUNT_ID the gateway does not manage, listing the managed ones masked",
    input: anInput({ env: { IBKR_ACCOUNT_ID: "DU5555555" }, managedAccounts: [PAPER, OTHER_PAPER] }),
    signals: ["account-id"],
    says: "IBKR_ACCOUNT_ID DU***555 (from environment) is not among the gateway's managed accounts (managed: DU***567, DU***321)",
  },
  {
    behaviour: "refuses an unmanaged IBKR_ACCOUNT_ID when read-only, since state is kept per account",
    input: anInput({ env: { IBKR_ACCOUNT_ID: OTHER_PAPER }, readOnly: true }),
    signals: ["account-id"],
    says: "IBKR_ACCOUNT_ID DU***321",
  },
  {
    behaviour: "refuses several managed accounts without IBKR_ACCOUNT_ID",
    input: anInput({ managedAccounts: [PAPER, OTHER_PAPER] }),
    signals: ["account-id"],
    says: "the gateway manages 2 accounts (DU***567, DU***321): set IBKR_ACCOUNT_ID to one of them",
  },
  {
    behaviour: "refuses when the gateway manages no account",
    input: anInput({ managedAccounts: ["", " "] }),
    signals: ["managed-accounts"],
    says: "the gateway reported no managed accounts",
  },
  {
    behaviour: "refuses a paper account under the live profile with simulated fills too",
    input: anInput({ profile: "live", env: { BROKER: "sim" }, managedAccounts: [PAPER] }),
    signals: ["account-kind"],
    says: "account DU***567 is a paper account (DU…) but the profile is live",
  },
];

function expectMode(mode: TradingMode, expected: Omit<TradingMode, "reasons">): void {
  expect({ ...mode, reasons: undefined }).toEqual({ ...expected, reasons: undefined });
  expect(Object.isFrozen(mode)).toBe(true);
  expect(Object.isFrozen(mode.reasons)).toBe(true);
}

describe("decideTradingMode", () => {
  it("sends orders to the paper account under the paper profile", () => {
    expectMode(decideTradingMode(anInput()), {
      account: PAPER,
      accountKind: "paper",
      mode: "paper",
      ordersAllowed: true,
      ordersReachAccount: true,
    });
  });

  it("sends orders to a live account when profile, --live, IBKR_LIVE_CONFIRM and the account all agree", () => {
    const mode = decideTradingMode(anInput(allLive()));
    expectMode(mode, {
      account: LIVE,
      accountKind: "live",
      mode: "live",
      ordersAllowed: true,
      ordersReachAccount: true,
    });
    expect(mode.reasons).toContain("IBKR_LIVE_CONFIRM names U1***567");
  });

  it.each([
    ["the live profile without --live", anInput({ ...allLive(), liveFlag: false, env: {} })],
    ["the paper profile on a live-looking account", anInput({ managedAccounts: [LIVE], readOnly: true })],
    ["the live profile on a paper account", anInput({ profile: "live", managedAccounts: [PAPER] })],
  ])("streams read-only without orders under %s", (_, input) => {
    const mode = decideTradingMode({ ...input, readOnly: true });
    expect(mode.mode).toBe("read-only");
    expect(mode.ordersAllowed).toBe(false);
    expect(mode.ordersReachAccount).toBe(false);
  });

  it("fills simulated orders on a live account's data with BROKER=sim and no live signal", () => {
    const input = anInput({ profile: "live", env: { BROKER: "sim" }, managedAccounts: [LIVE] });
    expectMode(decideTradingMode(input), {
      account: LIVE,
      accountKind: "live",
      mode: "simulated",
      ordersAllowed: true,
      ordersReachAccount: false,
    });
  });

  it("fills simulated orders on a paper account's data with BROKER=sim under the paper profile", () => {
    const mode = decideTradingMode(anInput({ env: { BROKER: "sim" } }));
    expect(mode.mode).toBe("simulated");
    expect(mode.ordersReachAccount).toBe(false);
  });

  it("trades IBKR_ACCOUNT_ID among several managed accounts", () => {
    const input = anInput({
      env: { IBKR_ACCOUNT_ID: OTHER_PAPER },
      managedAccounts: [` ${PAPER}`, `${OTHER_PAPER} `, ""],
    });
    expect(decideTradingMode(input).account).toBe(OTHER_PAPER);
  });

  it.each(refusals)("$behaviour", ({ input, signals, says }) => {
    const error = refusalOf(input);
    expect(error.signals).toEqual(signals);
    expect(error.message).toContain(says);
  });

  it("names every live signal that disagrees in one line", () => {
    const error = refusalOf(anInput({ ...allLive(), liveFlag: false, env: {}, managedAccounts: [PAPER] }));
    expect(error.signals).toEqual(["live-flag", "live-confirm", "account-kind"]);
    expect(error.message).toMatch(/^live orders refused: /);
    expect(error.message).not.toContain("\n");
  });

  it("refuses as a configuration error that exits with code 2", () => {
    const error = refusalOf(anInput({ liveFlag: true }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.isUserError).toBe(true);
  });

  it("never puts a full account id in a refusal", () => {
    for (const { input } of refusals) expect(refusalOf(input).message).not.toMatch(FULL_ACCOUNT_ID);
  });

  it("never puts a full account id in the reasons it logs", () => {
    const modes = [
      decideTradingMode(anInput()),
      decideTradingMode(anInput(allLive())),
      decideTradingMode(anInput({ env: { BROKER: "sim", IBKR_ACCOUNT_ID: PAPER } })),
      decideTradingMode(anInput({ managedAccounts: [LIVE], readOnly: true })),
    ];
    for (const mode of modes) expect(mode.reasons.join("\n")).not.toMatch(FULL_ACCOUNT_ID);
  });
});

describe("stateFileName", () => {
  it("names one file per mode and full account id", () => {
    expect(stateFileName("paper", PAPER)).toBe("state-paper-DU1234567.sqlite");
    expect(stateFileName("simulated", PAPER)).toBe("state-simulated-DU1234567.sqlite");
    expect(stateFileName("live", LIVE)).not.toBe(stateFileName("live", LIVE_SAME_MASK));
  });

  it("refuses an account id that is not alphanumeric", () => {
    expect(() => stateFileName("read-only", "../U1234567")).toThrow(InvariantError);
  });
});

describe("the live confirmation's origin", () => {
  it("refuses a confirmation saved in the live profile file: it must come from the environment", () => {
    const withSavedConfirm = mkdtempSync(join(tmpdir(), "live-interlock-saved-"));
    writeFileSync(
      join(withSavedConfirm, ".env.ibkr.live"),
      `IBKR_ACCOUNT_TYPE=live\nBROKER=ibkr\nIBKR_LIVE_CONFIRM=${LIVE}\n`,
    );
    const error = refusalOf({
      config: loadConfig({ flags: {}, env: {}, directory: withSavedConfirm, profile: "live" }),
      liveFlag: true,
      readOnly: false,
      managedAccounts: [LIVE],
    });
    expect(error.signals).toEqual(["live-confirm"]);
    expect(error.message).toContain("IBKR_LIVE_CONFIRM comes from profile, not the environment");
    rmSync(withSavedConfirm, { recursive: true, force: true });
  });
});
