import { Decimal } from "decimal.js";
import { InvariantError } from "../core/errors.js";
import { assertFeeableTrade, makeFeeBreakdown } from "./fee-model.js";
import type { FeeableTrade, FeeBreakdown, FeeModel } from "./fee-model.js";
import { assertTieredFeeRates, DEFAULT_TIERED_RATES } from "./fee-schedule.js";
import type { FeeTier, TieredFeeRates } from "./fee-schedule.js";
import { ibkrCommission } from "./ibkr-commission.js";
import { sellTransactionFees } from "./sell-transaction-fees.js";

const ZERO = new Decimal(0);

/**
 * IBKR Pro Tiered pricing: a capped per-share commission whose rate falls with month-to-date share volume, plus
 * exchange, clearing (capped), FINRA pass-through (× commission), FINRA CAT (per share, both sides) and, on
 * sells, the SEC fee and FINRA TAF.
 *
 * Simplifications: the tier comes from the month-to-date volume before the trade (UTC calendar month of
 * `trade.time`) and prices the whole order, even when the order crosses into the next tier (IBKR applies the
 * volume at the time of the order in the same way, but counts volume per account across all routes). Volume is
 * counted per month, so a late trade dated in an earlier month is priced against that month's volume. The
 * exchange fee is one flat per-share rate rather than each venue's add/remove-liquidity schedule.
 */
export class TieredFeeModel implements FeeModel {
  readonly name = "tiered";
  readonly rates: TieredFeeRates;
  private readonly volumeByMonth = new Map<number, Decimal>();
  private cachedMonthStartMs = NaN;
  private cachedMonthEndMs = NaN;

  constructor(rates: TieredFeeRates = DEFAULT_TIERED_RATES) {
    assertTieredFeeRates(rates);
    this.rates = rates;
  }

  charge(trade: FeeableTrade): FeeBreakdown {
    assertFeeableTrade(trade);
    const month = this.monthStartMs(trade.time);
    const volumeBefore = this.volumeByMonth.get(month) ?? ZERO;
    const breakdown = this.price(trade, volumeBefore);
    this.volumeByMonth.set(month, volumeBefore.plus(trade.quantity));
    return breakdown;
  }

  record(trade: FeeableTrade): void {
    assertFeeableTrade(trade);
    const month = this.monthStartMs(trade.time);
    this.volumeByMonth.set(month, (this.volumeByMonth.get(month) ?? ZERO).plus(trade.quantity));
  }

  /** What `charge` would return, without counting the trade's volume. */
  preview(trade: FeeableTrade): FeeBreakdown {
    assertFeeableTrade(trade);
    return this.price(trade, this.monthToDateVolume(trade.time));
  }

  /** Shares recorded so far in the UTC calendar month that contains `timeMs`. */
  monthToDateVolume(timeMs: number): Decimal {
    return this.volumeByMonth.get(this.monthStartMs(timeMs)) ?? ZERO;
  }

  /** The tier the next trade at `timeMs` would be priced at. */
  tierAt(timeMs: number): FeeTier {
    return this.tierForVolume(this.monthToDateVolume(timeMs));
  }

  private price(trade: FeeableTrade, volumeBefore: Decimal): FeeBreakdown {
    const tier = this.tierForVolume(volumeBefore);
    const tradeValue = trade.quantity.times(trade.price);
    const commission = ibkrCommission({
      perShare: tier.perShare,
      quantity: trade.quantity,
      tradeValue,
      minPerOrder: this.rates.minPerOrder,
      maxPercentOfValue: this.rates.maxPercentOfValue,
    });
    const clearingRaw = trade.quantity.times(this.rates.clearingPerShare);
    const clearingCap = tradeValue.times(this.rates.clearingMaxPercentOfValue).div(100);
    return makeFeeBreakdown({
      commission,
      exchange: trade.quantity.times(this.rates.exchangePerShare),
      clearing: clearingRaw.gt(clearingCap) ? clearingCap : clearingRaw,
      passThrough: commission.times(this.rates.finraPassThroughRate),
      regulatory: trade.quantity
        .times(this.rates.finraCatPerShare)
        .plus(sellTransactionFees(trade, tradeValue, this.rates)),
    });
  }

  private tierForVolume(volume: Decimal): FeeTier {
    for (const tier of this.rates.tiers) if (volume.lt(tier.upToShares)) return tier;
    throw new InvariantError(`no fee tier covers a month-to-date volume of ${volume.toString()} shares`);
  }

  private monthStartMs(timeMs: number): number {
    if (timeMs >= this.cachedMonthStartMs && timeMs < this.cachedMonthEndMs) return this.cachedMonthStartMs;
    const date = new Date(timeMs);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    this.cachedMonthStartMs = Date.UTC(year, month, 1);
    this.cachedMonthEndMs = Date.UTC(year, month + 1, 1);
    return this.cachedMonthStartMs;
  }
}
