import { Decimal } from "decimal.js";
import { ConfigError } from "../core/errors.js";

/** Regulatory transaction fees IBKR passes through on every sale (both pricing plans). */
export interface SellTransactionFeeRates {
  /** SEC Section 31 fee, times the value of the sale. */
  readonly secFeeRate: Decimal;
  /** FINRA Trading Activity Fee per share sold. */
  readonly finraTafPerShare: Decimal;
  /** Cap on the FINRA TAF per trade, in USD. */
  readonly finraTafMax: Decimal;
}

/** IBKR Pro Fixed rates: exchange and clearing fees are bundled; SEC fee and FINRA TAF are passed through on sells. */
export interface FixedFeeRates extends SellTransactionFeeRates {
  /** Commission per share. */
  readonly perShare: Decimal;
  /** Minimum commission per order, in USD. */
  readonly minPerOrder: Decimal;
  /** Commission cap in percent of the trade value (1 means 1 %); wins over the minimum when lower. */
  readonly maxPercentOfValue: Decimal;
}

/** One step of the tiered schedule: the rate applies while month-to-date volume is below `upToShares`. */
export interface FeeTier {
  /** Exclusive upper bound of month-to-date shares for this tier; `Infinity` for the last tier. */
  readonly upToShares: number;
  /** Commission per share in this tier. */
  readonly perShare: Decimal;
}

/** IBKR Pro Tiered rates: volume-tiered commission plus exchange, clearing, pass-through and regulatory fees. */
export interface TieredFeeRates extends SellTransactionFeeRates {
  /** Tiers in ascending `upToShares` order; the last one is unbounded (`Infinity`). */
  readonly tiers: readonly FeeTier[];
  /** Minimum commission per order, in USD. */
  readonly minPerOrder: Decimal;
  /** Commission cap in percent of the trade value (1 means 1 %); wins over the minimum when lower. */
  readonly maxPercentOfValue: Decimal;
  /** Exchange fee per share (a flat stand-in for the venue's remove-liquidity fee). */
  readonly exchangePerShare: Decimal;
  /** NSCC/DTC clearing fee per share. */
  readonly clearingPerShare: Decimal;
  /** Clearing fee cap in percent of the trade value (0.5 means 0.5 %). */
  readonly clearingMaxPercentOfValue: Decimal;
  /** FINRA pass-through fee, times the commission. */
  readonly finraPassThroughRate: Decimal;
  /** FINRA Consolidated Audit Trail fee per share, on buys and sells. */
  readonly finraCatPerShare: Decimal;
}

/** IBKR Pro Fixed defaults for US stocks. */
export const DEFAULT_FIXED_RATES: FixedFeeRates = Object.freeze({
  perShare: new Decimal("0.005"),
  minPerOrder: new Decimal("1.00"),
  maxPercentOfValue: new Decimal("1"),
  secFeeRate: new Decimal("0.0000278"),
  finraTafPerShare: new Decimal("0.000166"),
  finraTafMax: new Decimal("8.30"),
});

/** The default tier ladder written the way `FEE_TIERED_TIERS` expects it. */
export const DEFAULT_TIERED_TIERS_TEXT =
  "300000:0.0035,3000000:0.002,20000000:0.0015,100000000:0.001,inf:0.0005";

/** IBKR Pro Tiered defaults for US stocks. */
export const DEFAULT_TIERED_RATES: TieredFeeRates = Object.freeze({
  tiers: Object.freeze([
    Object.freeze({ upToShares: 300_000, perShare: new Decimal("0.0035") }),
    Object.freeze({ upToShares: 3_000_000, perShare: new Decimal("0.002") }),
    Object.freeze({ upToShares: 20_000_000, perShare: new Decimal("0.0015") }),
    Object.freeze({ upToShares: 100_000_000, perShare: new Decimal("0.001") }),
    Object.freeze({ upToShares: Infinity, perShare: new Decimal("0.0005") }),
  ]),
  minPerOrder: new Decimal("0.35"),
  maxPercentOfValue: new Decimal("1"),
  exchangePerShare: new Decimal("0.003"),
  clearingPerShare: new Decimal("0.0002"),
  clearingMaxPercentOfValue: new Decimal("0.5"),
  finraPassThroughRate: new Decimal("0.00056"),
  finraCatPerShare: new Decimal("0.000048"),
  secFeeRate: new Decimal("0.0000278"),
  finraTafPerShare: new Decimal("0.000166"),
  finraTafMax: new Decimal("8.30"),
});

const SHARES_PATTERN = /^\d+$/;
const RATE_PATTERN = /^(\d+(\.\d*)?|\.\d+)$/;
const INFINITY_PATTERN = /^inf(inity)?$/i;

/**
 * Parses a tier ladder such as `300000:0.0035,3000000:0.002,inf:0.0005` (`<up to shares>:<rate per share>`,
 * ascending, the last one `inf`) into frozen tiers; throws a ConfigError naming the problem otherwise.
 */
export function parseTiers(text: string, key = "FEE_TIERED_TIERS"): readonly FeeTier[] {
  const problem = (what: string): ConfigError =>
    new ConfigError(
      `bad ${key} ${JSON.stringify(text)}: ${what}; use ascending <shares>:<rate per share> pairs ending in inf, e.g. "${DEFAULT_TIERED_TIERS_TEXT}"`,
    );
  if (text.trim() === "") throw problem("it is empty");
  const tiers: FeeTier[] = [];
  let previous = 0;
  for (const [index, rawEntry] of text.split(",").entries()) {
    const entry = rawEntry.trim();
    const label = `tier ${index + 1}`;
    if (entry === "") throw problem(`${label} is empty`);
    const parts = entry.split(":");
    const sharesText = parts[0]?.trim() ?? "";
    const rateText = parts[1]?.trim() ?? "";
    if (parts.length !== 2) throw problem(`${label} ${JSON.stringify(entry)} is not <shares>:<rate>`);
    if (previous === Infinity) throw problem(`${label} comes after the unbounded (inf) tier`);
    let upToShares: number;
    if (INFINITY_PATTERN.test(sharesText)) {
      upToShares = Infinity;
    } else if (SHARES_PATTERN.test(sharesText)) {
      upToShares = Number(sharesText);
      if (!Number.isSafeInteger(upToShares) || upToShares <= 0) {
        throw problem(`${label} share bound ${sharesText} is not a positive whole number`);
      }
    } else {
      throw problem(`${label} share bound ${JSON.stringify(sharesText)} is not a whole number or inf`);
    }
    if (!RATE_PATTERN.test(rateText)) {
      throw problem(`${label} rate ${JSON.stringify(rateText)} is not a decimal number >= 0`);
    }
    if (upToShares <= previous) {
      throw problem(`${label} share bound ${sharesText} is not above the previous bound ${previous}`);
    }
    previous = upToShares;
    tiers.push(Object.freeze({ upToShares, perShare: new Decimal(rateText) }));
  }
  if (previous !== Infinity) throw problem("the last tier must be inf");
  return Object.freeze(tiers);
}

/** Throws a ConfigError unless every fixed-plan rate is a finite decimal >= 0 and the cap is at most 100 %. */
export function assertFixedFeeRates(rates: FixedFeeRates): void {
  assertRates("fixed", [
    ["perShare", rates.perShare],
    ["minPerOrder", rates.minPerOrder],
    ["maxPercentOfValue", rates.maxPercentOfValue],
    ["secFeeRate", rates.secFeeRate],
    ["finraTafPerShare", rates.finraTafPerShare],
    ["finraTafMax", rates.finraTafMax],
  ]);
  assertPercent("fixed", "maxPercentOfValue", rates.maxPercentOfValue);
}

/** Throws a ConfigError unless every tiered-plan rate is valid and the tiers ascend to a final unbounded tier. */
export function assertTieredFeeRates(rates: TieredFeeRates): void {
  assertRates("tiered", [
    ["minPerOrder", rates.minPerOrder],
    ["maxPercentOfValue", rates.maxPercentOfValue],
    ["exchangePerShare", rates.exchangePerShare],
    ["clearingPerShare", rates.clearingPerShare],
    ["clearingMaxPercentOfValue", rates.clearingMaxPercentOfValue],
    ["finraPassThroughRate", rates.finraPassThroughRate],
    ["finraCatPerShare", rates.finraCatPerShare],
    ["secFeeRate", rates.secFeeRate],
    ["finraTafPerShare", rates.finraTafPerShare],
    ["finraTafMax", rates.finraTafMax],
  ]);
  assertPercent("tiered", "maxPercentOfValue", rates.maxPercentOfValue);
  assertPercent("tiered", "clearingMaxPercentOfValue", rates.clearingMaxPercentOfValue);
  let previous = 0;
  rates.tiers.forEach((tier, index) => {
    if (!(tier.upToShares > previous)) {
      throw new ConfigError(
        `bad tiered fee tiers: tier ${index + 1} bound ${tier.upToShares} is not above the previous bound ${previous}`,
      );
    }
    assertRate("tiered", `tiers[${index}].perShare`, tier.perShare);
    previous = tier.upToShares;
  });
  if (previous !== Infinity) {
    throw new ConfigError("bad tiered fee tiers: the last tier must be unbounded (upToShares Infinity)");
  }
}

function assertRates(plan: string, rates: readonly (readonly [string, Decimal])[]): void {
  for (const [name, value] of rates) assertRate(plan, name, value);
}

function assertRate(plan: string, name: string, value: Decimal): void {
  if (!value.isFinite() || value.isNegative()) {
    throw new ConfigError(`bad ${plan} fee rate ${name} ${value.toString()}: use a finite decimal >= 0`);
  }
}

function assertPercent(plan: string, name: string, value: Decimal): void {
  if (value.gt(100)) {
    throw new ConfigError(
      `bad ${plan} fee rate ${name} ${value.toString()}: a percentage must be at most 100`,
    );
  }
}
