import { Decimal } from "decimal.js";
import { InvariantError } from "../../core/errors.js";
import { newYorkDayNumber } from "../../data/new-york-time.js";
import type { SimInstrument } from "../market/sim-instrument.js";

const ZERO = new Decimal(0);

/** One execution to book: shares always positive, the side says which way. */
export interface LedgerFill {
  readonly instrument: SimInstrument;
  readonly side: "BUY" | "SELL";
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly commission: Decimal;
  readonly timeMs: number;
}

/** What a day has done to one position so far (New York trading day). */
export interface PositionDay {
  /** Position at the start of the day. */
  readonly startQuantity: Decimal;
  /** Sale proceeds minus purchase costs minus commissions of the day's executions. */
  readonly cashFlow: Decimal;
  readonly realizedPnl: Decimal;
}

/** A position as IB reports it: signed quantity and an average cost per share that includes commissions. */
export interface LedgerPosition {
  readonly instrument: SimInstrument;
  readonly quantity: Decimal;
  /** Per share, commissions included (IB's avgCost); 0 when flat. */
  readonly averageCost: Decimal;
  /** Since the account opened. */
  readonly realizedPnl: Decimal;
  /** The New York day of the last execution, which `day` describes. */
  readonly dayNumber: number;
  readonly day: PositionDay;
}

interface MutablePosition {
  instrument: SimInstrument;
  quantity: Decimal;
  averageCost: Decimal;
  realizedPnl: Decimal;
  dayNumber: number;
  day: PositionDay;
}

/**
 * Cash and positions of one account in Decimal, booked the way IB reports them: buys cost price × shares
 * plus commission, average costs include commissions, and realized P&L (net of commissions) arises only
 * when an execution reduces a position.
 */
export class AccountLedger {
  readonly account: string;
  private cashBalance: Decimal;
  private readonly positions = new Map<number, MutablePosition>();

  constructor(account: string, startingCash: Decimal) {
    this.account = account;
    this.cashBalance = startingCash;
  }

  /** Cash in USD after every execution so far. */
  get cash(): Decimal {
    return this.cashBalance;
  }

  /** Every instrument the account has traded, flat ones included, in the order first traded. */
  allPositions(): readonly LedgerPosition[] {
    return [...this.positions.values()];
  }

  /** The position in an instrument, undefined if it was never traded. */
  position(conId: number): LedgerPosition | undefined {
    return this.positions.get(conId);
  }

  /** The day figures of a position as seen on New York day `dayNumber` (zero flows on a later day). */
  dayOf(position: LedgerPosition, dayNumber: number): PositionDay {
    return position.dayNumber === dayNumber ? position.day : freshDay(position.quantity);
  }

  /** Books one execution; returns its realized P&L (net of its commission) when it reduced the position. */
  applyFill(fill: LedgerFill): Decimal | undefined {
    if (!fill.quantity.isPositive() || fill.quantity.isZero()) {
      throw new InvariantError(`fill quantity ${fill.quantity.toString()} must be positive`);
    }
    const position = this.positionFor(fill.instrument);
    const dayNumber = newYorkDayNumber(fill.timeMs);
    if (position.dayNumber !== dayNumber) {
      position.dayNumber = dayNumber;
      position.day = freshDay(position.quantity);
    }
    const signed = fill.side === "BUY" ? fill.quantity : fill.quantity.negated();
    const value = fill.quantity.times(fill.price);
    const cashChange = (fill.side === "BUY" ? value.negated() : value).minus(fill.commission);
    this.cashBalance = this.cashBalance.plus(cashChange);

    const held = position.quantity;
    const reducing = !held.isZero() && held.isPositive() !== signed.isPositive();
    const closed = reducing ? Decimal.min(held.abs(), fill.quantity) : ZERO;
    const opened = fill.quantity.minus(closed);
    const commissionPerShare = fill.commission.dividedBy(fill.quantity);
    let realized: Decimal | undefined;
    if (!closed.isZero()) {
      // Long: (price − cost) × shares; short: (cost − price) × shares; both less their commission share.
      const perShare = held.isPositive()
        ? fill.price.minus(position.averageCost)
        : position.averageCost.minus(fill.price);
      realized = perShare.times(closed).minus(commissionPerShare.times(closed));
      position.realizedPnl = position.realizedPnl.plus(realized);
    }
    const newQuantity = held.plus(signed);
    if (newQuantity.isZero()) {
      position.averageCost = ZERO;
    } else if (!opened.isZero()) {
      // Buys add their commission to the cost, short sales subtract it from the proceeds per share.
      const openedCost =
        fill.side === "BUY"
          ? fill.price.plus(commissionPerShare).times(opened)
          : fill.price.minus(commissionPerShare).times(opened);
      const keptQuantity = reducing ? ZERO : held.abs();
      position.averageCost = position.averageCost
        .times(keptQuantity)
        .plus(openedCost)
        .dividedBy(keptQuantity.plus(opened));
    }
    position.quantity = newQuantity;
    position.day = {
      startQuantity: position.day.startQuantity,
      cashFlow: position.day.cashFlow.plus(cashChange),
      realizedPnl: position.day.realizedPnl.plus(realized ?? ZERO),
    };
    return realized;
  }

  private positionFor(instrument: SimInstrument): MutablePosition {
    let position = this.positions.get(instrument.conId);
    if (position === undefined) {
      position = {
        instrument,
        quantity: ZERO,
        averageCost: ZERO,
        realizedPnl: ZERO,
        dayNumber: Number.NEGATIVE_INFINITY,
        day: freshDay(ZERO),
      };
      this.positions.set(instrument.conId, position);
    }
    return position;
  }
}

function freshDay(startQuantity: Decimal): PositionDay {
  return { startQuantity, cashFlow: ZERO, realizedPnl: ZERO };
}
