import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { loadConfig } from "./load-config.js";

function directoryWith(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), "ibkr-config-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

const empty = (): string => directoryWith({});

describe("loadConfig", () => {
  it("uses the documented defaults when nothing is set", () => {
    const config = loadConfig({ flags: {}, env: {}, directory: empty() });
    expect(config.profile).toBe("paper");
    expect(config.ibkr.port).toBe(7497);
    expect(config.ibkr.clientId).toBe(1);
    expect(config.ibkr.connectTimeoutMs).toBe(10_000);
    expect(config.symbols).toEqual(["SPY"]);
    expect(config.timeframe.label).toBe("1h");
    expect(config.initialCapital.toString()).toBe("100000");
    expect(config.fees.model).toBe("fixed");
    expect(config.sources.IBKR_PORT).toBe("default");
  });

  it("takes a flag over the environment over .env over the profile file", () => {
    const directory = directoryWith({
      ".env.ibkr.paper": "IBKR_PORT=4002\nIBKR_CLIENT_ID=7\nSYMBOLS=IBM\nTIMEFRAME=1d\n",
      ".env": "IBKR_CLIENT_ID=8\nSYMBOLS=MSFT\nTIMEFRAME=4h\n",
    });
    const config = loadConfig({
      flags: { TIMEFRAME: "5m" },
      env: { SYMBOLS: "AAPL,QQQ", TIMEFRAME: "15m" },
      directory,
    });
    expect(config.ibkr.port).toBe(4002);
    expect(config.sources.IBKR_PORT).toBe("profile");
    expect(config.ibkr.clientId).toBe(8);
    expect(config.sources.IBKR_CLIENT_ID).toBe(".env");
    expect(config.symbols).toEqual(["AAPL", "QQQ"]);
    expect(config.sources.SYMBOLS).toBe("environment");
    expect(config.timeframe.label).toBe("5m");
    expect(config.sources.TIMEFRAME).toBe("flag");
  });

  it("reads the live profile file when the live profile is chosen", () => {
    const directory = directoryWith({ ".env.ibkr.live": "IBKR_PORT=7496\nIBKR_ACCOUNT_TYPE=live\n" });
    const config = loadConfig({ flags: {}, env: {}, directory, profile: "live" });
    expect(config.profile).toBe("live");
    expect(config.ibkr.port).toBe(7496);
    expect(config.ibkr.accountType).toBe("live");
  });

  it("returns a deeply frozen object", () => {
    const config = loadConfig({ flags: {}, env: {}, directory: empty() });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ibkr)).toBe(true);
    expect(Object.isFrozen(config.symbols)).toBe(true);
  });

  it("names the key, the value, its source and what is allowed for a bad value", () => {
    expect(() => loadConfig({ flags: {}, env: { IBKR_PORT: "abc" }, directory: empty() })).toThrow(
      /^IBKR_PORT="abc" \(from environment\) is invalid: .*; allowed: 1-65535$/,
    );
  });

  it("rejects an unknown enum value with the allowed choices", () => {
    expect(() => loadConfig({ flags: { FEE_MODEL: "cheap" }, env: {}, directory: empty() })).toThrow(
      'FEE_MODEL="cheap" (from flag) is invalid',
    );
  });

  it("rejects a bad value from the profile file and says so", () => {
    const directory = directoryWith({ ".env.ibkr.paper": "IBKR_AUTO_RECONNECT=maybe\n" });
    expect(() => loadConfig({ flags: {}, env: {}, directory })).toThrow(
      /^IBKR_AUTO_RECONNECT="maybe" \(from profile\) is invalid/,
    );
  });

  it("rejects a bad symbol naming the key", () => {
    expect(() => loadConfig({ flags: { SYMBOLS: "SPY,$$$" }, env: {}, directory: empty() })).toThrow(
      /^SYMBOLS="SPY,\$\$\$" \(from flag\): bad symbol "\$\$\$"/,
    );
  });

  it("rejects a bad timeframe naming the allowed ones", () => {
    expect(() => loadConfig({ flags: { TIMEFRAME: "7m" }, env: {}, directory: empty() })).toThrow(
      /TIMEFRAME="7m" \(from flag\): bad timeframe "7m": use one of .*1m 5m 15m 30m 1h 2h 4h 1d 1w/,
    );
  });

  it("rejects an unknown profile", () => {
    expect(() => loadConfig({ flags: {}, env: {}, directory: empty(), profile: "prod" })).toThrow(
      ConfigError,
    );
  });

  it("refuses an explicitly chosen profile whose file is missing", () => {
    expect(() => loadConfig({ flags: {}, env: {}, directory: empty(), profile: "live" })).toThrow(
      /profile file .*\.env\.ibkr\.live not found/,
    );
  });

  it("rejects a first reconnect delay above the cap", () => {
    expect(() =>
      loadConfig({
        flags: {},
        env: { IBKR_RECONNECT_DELAY: "300", IBKR_MAX_RECONNECT_DELAY: "60" },
        directory: empty(),
      }),
    ).toThrow(/IBKR_RECONNECT_DELAY=300 is above IBKR_MAX_RECONNECT_DELAY=60/);
  });

  it("parses strategy parameters from STRATEGY_PARAMS", () => {
    const config = loadConfig({ flags: {}, env: { STRATEGY_PARAMS: "fast=5, slow=20" }, directory: empty() });
    expect(config.strategyParams).toEqual({ fast: "5", slow: "20" });
  });

  it("accepts the committed profile templates", () => {
    const repository = join(import.meta.dirname, "../..");
    expect(loadConfig({ flags: {}, env: {}, directory: repository, profile: "paper" }).ibkr.accountType).toBe(
      "paper",
    );
    expect(loadConfig({ flags: {}, env: {}, directory: repository, profile: "live" }).ibkr.accountType).toBe(
      "live",
    );
  });
});
