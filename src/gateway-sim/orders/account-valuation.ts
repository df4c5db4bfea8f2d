import { Decimal } from "decimal.js";
import { newYorkDayNumber, newYorkMidnightUtcMs } from "../../data/new-york-time.js";
import type { MarketModel } from "../market/market-model.js";
import type { AccountLedger, LedgerPosition } from "./account-ledger.js";

const ZERO = new Decimal(0);

/** A position marked to the model's last price. */
export interface PositionValuation {
  readonly position: LedgerPosition;
  readonly markPrice: number;
  readonly marketValue: Decimal;
  readonly unrealizedPnl: Decimal;
  /** Today's P&L of the position: value now − value at the previous close − today's net cash flow. */
  readonly dailyPnl: Decimal;
  readonly realizedPnlToday: Decimal;
}

/**
 * An account marked to market. The simulator models a cash account without leverage (100% margin on
 * longs and shorts): margin requirement = gross position value, available funds = net liquidation − that.
 */
export interface AccountValuation {
  readonly account: string;
  readonly cash: Decimal;
  readonly stockMarketValue: Decimal;
  readonly grossPositionValue: Decimal;
  readonly netLiquidation: Decimal;
  /** Net liquidation at the previous close (today's opening positions at yesterday's close). */
  readonly previousDayNetLiquidation: Decimal;
  readonly unrealizedPnl: Decimal;
  readonly realizedPnlToday: Decimal;
  readonly dailyPnl: Decimal;
  readonly initialMargin: Decimal;
  readonly availableFunds: Decimal;
  /** Positions that are not flat, plus flat ones traded today (their realized P&L still counts). */
  readonly positions: readonly PositionValuation[];
}

/** Marks ledgers to the market model at a simulated time. */
export class AccountValuer {
  constructor(private readonly model: MarketModel) {}

  /** The model's last price of `symbol` at `timeMs`. */
  markPrice(symbol: string, timeMs: number): number {
    return this.model.quote(symbol, timeMs).last;
  }

  /** One position at `timeMs`. */
  valuePosition(ledger: AccountLedger, position: LedgerPosition, timeMs: number): PositionValuation {
    const dayNumber = newYorkDayNumber(timeMs);
    const day = ledger.dayOf(position, dayNumber);
    const markPrice = this.markPrice(position.instrument.symbol, timeMs);
    const mark = new Decimal(markPrice);
    const marketValue = position.quantity.times(mark);
    const previousClose = new Decimal(
      this.markPrice(position.instrument.symbol, newYorkMidnightUtcMs(dayNumber)),
    );
    return {
      position,
      markPrice,
      marketValue,
      unrealizedPnl: mark.minus(position.averageCost).times(position.quantity),
      dailyPnl: marketValue.minus(day.startQuantity.times(previousClose)).plus(day.cashFlow),
      realizedPnlToday: day.realizedPnl,
    };
  }

  /**
   * One position of the account at `timeMs` as `value` would list it (not flat, or traded today); undefined
   * when it would not be listed. A reqPnLSingle stream asks every simulated second: valuing the whole
   * account for it cost subscriptions × positions per second, and saturated a core at ×40 with 100 of each.
   */
  valueOne(ledger: AccountLedger, conId: number, timeMs: number): PositionValuation | undefined {
    const position = ledger.position(conId);
    if (position === undefined) return undefined;
    if (position.quantity.isZero() && position.dayNumber !== newYorkDayNumber(timeMs)) return undefined;
    return this.valuePosition(ledger, position, timeMs);
  }

  /** The whole account at `timeMs`. */
  value(ledger: AccountLedger, timeMs: number): AccountValuation {
    const dayNumber = newYorkDayNumber(timeMs);
    const positions = ledger
      .allPositions()
      .filter((position) => !position.quantity.isZero() || position.dayNumber === dayNumber)
      .map((position) => this.valuePosition(ledger, position, timeMs));
    const sum = (pick: (valuation: PositionValuation) => Decimal): Decimal =>
      positions.reduce((total, valuation) => total.plus(pick(valuation)), ZERO);
    const stockMarketValue = sum((valuation) => valuation.marketValue);
    const grossPositionValue = sum((valuation) => valuation.marketValue.abs());
    const netLiquidation = ledger.cash.plus(stockMarketValue);
    const dailyPnl = sum((valuation) => valuation.dailyPnl);
    return {
      account: ledger.account,
      cash: ledger.cash,
      stockMarketValue,
      grossPositionValue,
      netLiquidation,
      previousDayNetLiquidation: netLiquidation.minus(dailyPnl),
      unrealizedPnl: sum((valuation) => valuation.unrealizedPnl),
      realizedPnlToday: sum((valuation) => valuation.realizedPnlToday),
      dailyPnl,
      initialMargin: grossPositionValue,
      availableFunds: netLiquidation.minus(grossPositionValue),
      positions,
    };
  }
}
