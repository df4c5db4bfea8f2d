import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import {
  assertFixedFeeRates,
  assertTieredFeeRates,
  DEFAULT_FIXED_RATES,
  DEFAULT_TIERED_RATES,
  DEFAULT_TIERED_TIERS_TEXT,
  parseTiers,
} from "./fee-schedule.js";

function describeTiers(tiers: ReturnType<typeof parseTiers>): string[] {
  return tiers.map((tier) => `${tier.upToShares}:${tier.perShare.toString()}`);
}

describe("parseTiers", () => {
  it("parses the default ladder into the default tiers", () => {
    const tiers = parseTiers(DEFAULT_TIERED_TIERS_TEXT);

    expect(describeTiers(tiers)).toEqual(describeTiers(DEFAULT_TIERED_RATES.tiers));
    expect(Object.isFrozen(tiers)).toBe(true);
  });

  it("accepts spaces around entries and any case of inf", () => {
    const tiers = parseTiers(" 1000 : 0.01 , INF:.005 ");

    expect(describeTiers(tiers)).toEqual(["1000:0.01", "Infinity:0.005"]);
  });

  it.each([
    ["", /it is empty/],
    ["300000:0.0035", /last tier must be inf/],
    ["abc:0.1,inf:0.1", /tier 1 share bound "abc" is not a whole number or inf/],
    ["-5:0.1,inf:0.1", /tier 1 share bound "-5"/],
    ["0:0.1,inf:0.1", /tier 1 share bound 0 is not a positive whole number/],
    ["100:x,inf:0.1", /tier 1 rate "x" is not a decimal number >= 0/],
    ["100:-0.1,inf:0.1", /tier 1 rate "-0.1"/],
    ["300:0.1,200:0.1,inf:0.1", /tier 2 share bound 200 is not above the previous bound 300/],
    ["inf:0.1,100:0.2", /tier 2 comes after the unbounded \(inf\) tier/],
    ["100;0.1", /tier 1 "100;0.1" is not <shares>:<rate>/],
    ["100:0.1:2,inf:0.1", /tier 1 "100:0.1:2" is not <shares>:<rate>/],
    ["100:0.1,,inf:0.1", /tier 2 is empty/],
  ])("rejects %j with a one-line ConfigError saying why", (text, why) => {
    const parse = (): unknown => parseTiers(text);

    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(why);
    expect(parse).toThrow(/^bad FEE_TIERED_TIERS [^\n]*$/);
  });

  it("names the key it is given in its errors", () => {
    expect(() => parseTiers("", "fees.tiers")).toThrow(/^bad fees\.tiers ""/);
  });
});

describe("fee schedule defaults", () => {
  it("are frozen", () => {
    expect(Object.isFrozen(DEFAULT_FIXED_RATES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_TIERED_RATES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_TIERED_RATES.tiers)).toBe(true);
    expect(DEFAULT_TIERED_RATES.tiers.every((tier) => Object.isFrozen(tier))).toBe(true);
  });

  it("pass their own validation", () => {
    expect(() => {
      assertFixedFeeRates(DEFAULT_FIXED_RATES);
    }).not.toThrow();
    expect(() => {
      assertTieredFeeRates(DEFAULT_TIERED_RATES);
    }).not.toThrow();
  });
});

describe("fee rate validation", () => {
  it("rejects a cap above 100 percent", () => {
    const rates = { ...DEFAULT_FIXED_RATES, maxPercentOfValue: new Decimal(101) };

    expect(() => {
      assertFixedFeeRates(rates);
    }).toThrow(/maxPercentOfValue 101/);
  });

  it("rejects a negative tiered rate, naming it", () => {
    const rates = { ...DEFAULT_TIERED_RATES, clearingPerShare: new Decimal("-0.0002") };

    expect(() => {
      assertTieredFeeRates(rates);
    }).toThrow(/clearingPerShare -0.0002/);
  });

  it("rejects tiers that do not ascend", () => {
    const rates = {
      ...DEFAULT_TIERED_RATES,
      tiers: [
        { upToShares: 1000, perShare: new Decimal("0.01") },
        { upToShares: 1000, perShare: new Decimal("0.005") },
        { upToShares: Infinity, perShare: new Decimal("0.001") },
      ],
    };

    expect(() => {
      assertTieredFeeRates(rates);
    }).toThrow(/tier 2 bound 1000 is not above the previous bound 1000/);
  });
});
