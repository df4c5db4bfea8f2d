import { Decimal } from "decimal.js";
import { InvariantError } from "../core/errors.js";
import type { Fill } from "../model/fill.js";

/** Which way a round trip was positioned. */
export type TradeDirection = "LONG" | "SHORT";

/** A closed round trip: a symbol's position left zero, possibly changed size, and returned to zero. */
export interface RoundTrip {
  readonly symbol: string;
  readonly direction: TradeDirection;
  /** Time of the fill that opened the position. */
  readonly entryTime: number;
  /** Time of the fill that brought the position back to zero. */
  readonly exitTime: number;
  /** Largest absolute position held during the trip. */
  readonly quantity: Decimal;
  /** Volume-weighted price of every fill (or fill part) that grew the position. */
  readonly averageEntryPrice: Decimal;
  /** Volume-weighted price of every fill (or fill part) that shrank the position. */
  readonly averageExitPrice: Decimal;
  /** Exit notional minus entry notional for longs, the reverse for shorts; before commissions. */
  readonly grossPnl: Decimal;
  /** Commissions of the trip's fills; a fill that crosses zero is split pro rata by quantity. */
  readonly commissions: Decimal;
  /** Gross P&L minus commissions. */
  readonly netPnl: Decimal;
}

/** A round trip still open after the last fill; not a closed trade, reported on its own. */
export interface OpenRoundTrip {
  readonly symbol: string;
  readonly direction: TradeDirection;
  readonly entryTime: number;
  /** Time of the trip's most recent fill. */
  readonly lastFillTime: number;
  /** Largest absolute position held so far. */
  readonly quantity: Decimal;
  /** Absolute position still held. */
  readonly openQuantity: Decimal;
  readonly averageEntryPrice: Decimal;
  /** Volume-weighted price of the partial exits so far; undefined when nothing was exited yet. */
  readonly averageExitPrice: Decimal | undefined;
  /** P&L realized by partial exits so far, against the average cost of the position, before commissions. */
  readonly realizedGrossPnl: Decimal;
  readonly commissions: Decimal;
  /** Realized gross P&L minus all commissions paid so far (entry commissions included). */
  readonly realizedNetPnl: Decimal;
}

/** The round trips found in a fill history: closed ones (in closing order) and those still open (in opening order). */
export interface RoundTripTrades {
  readonly closed: readonly RoundTrip[];
  readonly open: readonly OpenRoundTrip[];
}

interface TripState {
  readonly symbol: string;
  readonly direction: TradeDirection;
  readonly entryTime: number;
  lastFillTime: number;
  /** Absolute position still held. */
  position: Decimal;
  maxPosition: Decimal;
  entryQuantity: Decimal;
  entryNotional: Decimal;
  exitQuantity: Decimal;
  exitNotional: Decimal;
  /** Average-cost basis of the open position, for the realized P&L of open trips. */
  costBasis: Decimal;
  realizedGrossPnl: Decimal;
  commissions: Decimal;
}

const ZERO = new Decimal(0);

/**
 * Groups time-ordered fills into per-symbol round trips; a fill that crosses zero closes one trip and opens
 * the opposite one, its quantity and commission split pro rata.
 */
export function buildRoundTrips(fills: readonly Fill[]): RoundTripTrades {
  const openBySymbol = new Map<string, TripState>();
  const closed: RoundTrip[] = [];
  let previousTime = -Infinity;

  for (const fill of fills) {
    if (!fill.quantity.isFinite() || fill.quantity.lte(0)) {
      throw new InvariantError(
        `fill ${fill.fillId} has quantity ${fill.quantity.toString()}; fill quantities must be positive`,
      );
    }
    if (fill.time < previousTime) {
      throw new InvariantError(
        `fill ${fill.fillId} at ${fill.time} comes before the previous fill; fills must be time-ordered`,
      );
    }
    previousTime = fill.time;
    const fillDirection: TradeDirection = fill.side === "BUY" ? "LONG" : "SHORT";
    const trip = openBySymbol.get(fill.symbol);

    if (trip === undefined) {
      openBySymbol.set(fill.symbol, openTrip(fill, fillDirection, fill.quantity, fill.commission));
    } else if (trip.direction === fillDirection) {
      addEntry(trip, fill, fill.quantity, fill.commission);
    } else if (fill.quantity.lte(trip.position)) {
      addExit(trip, fill, fill.quantity, fill.commission);
      if (trip.position.isZero()) {
        closed.push(closeTrip(trip));
        openBySymbol.delete(fill.symbol);
      }
    } else {
      const closingQuantity = trip.position;
      const openingQuantity = fill.quantity.minus(closingQuantity);
      const closingCommission = fill.commission.times(closingQuantity).div(fill.quantity);
      addExit(trip, fill, closingQuantity, closingCommission);
      closed.push(closeTrip(trip));
      openBySymbol.delete(fill.symbol);
      const openingCommission = fill.commission.minus(closingCommission);
      openBySymbol.set(fill.symbol, openTrip(fill, fillDirection, openingQuantity, openingCommission));
    }
  }

  return { closed, open: [...openBySymbol.values()].map(describeOpenTrip) };
}

function openTrip(fill: Fill, direction: TradeDirection, quantity: Decimal, commission: Decimal): TripState {
  const trip: TripState = {
    symbol: fill.symbol,
    direction,
    entryTime: fill.time,
    lastFillTime: fill.time,
    position: ZERO,
    maxPosition: ZERO,
    entryQuantity: ZERO,
    entryNotional: ZERO,
    exitQuantity: ZERO,
    exitNotional: ZERO,
    costBasis: ZERO,
    realizedGrossPnl: ZERO,
    commissions: ZERO,
  };
  addEntry(trip, fill, quantity, commission);
  return trip;
}

function addEntry(trip: TripState, fill: Fill, quantity: Decimal, commission: Decimal): void {
  const notional = quantity.times(fill.price);
  trip.lastFillTime = fill.time;
  trip.position = trip.position.plus(quantity);
  trip.maxPosition = Decimal.max(trip.maxPosition, trip.position);
  trip.entryQuantity = trip.entryQuantity.plus(quantity);
  trip.entryNotional = trip.entryNotional.plus(notional);
  trip.costBasis = trip.costBasis.plus(notional);
  trip.commissions = trip.commissions.plus(commission);
}

function addExit(trip: TripState, fill: Fill, quantity: Decimal, commission: Decimal): void {
  const notional = quantity.times(fill.price);
  const releasedCost = quantity.eq(trip.position)
    ? trip.costBasis
    : trip.costBasis.times(quantity).div(trip.position);
  const realized = notional.minus(releasedCost);
  trip.lastFillTime = fill.time;
  trip.position = trip.position.minus(quantity);
  trip.exitQuantity = trip.exitQuantity.plus(quantity);
  trip.exitNotional = trip.exitNotional.plus(notional);
  trip.costBasis = trip.costBasis.minus(releasedCost);
  trip.realizedGrossPnl = trip.realizedGrossPnl.plus(trip.direction === "LONG" ? realized : realized.neg());
  trip.commissions = trip.commissions.plus(commission);
}

function closeTrip(trip: TripState): RoundTrip {
  const exitMinusEntry = trip.exitNotional.minus(trip.entryNotional);
  const grossPnl = trip.direction === "LONG" ? exitMinusEntry : exitMinusEntry.neg();
  return {
    symbol: trip.symbol,
    direction: trip.direction,
    entryTime: trip.entryTime,
    exitTime: trip.lastFillTime,
    quantity: trip.maxPosition,
    averageEntryPrice: trip.entryNotional.div(trip.entryQuantity),
    averageExitPrice: trip.exitNotional.div(trip.exitQuantity),
    grossPnl,
    commissions: trip.commissions,
    netPnl: grossPnl.minus(trip.commissions),
  };
}

function describeOpenTrip(trip: TripState): OpenRoundTrip {
  return {
    symbol: trip.symbol,
    direction: trip.direction,
    entryTime: trip.entryTime,
    lastFillTime: trip.lastFillTime,
    quantity: trip.maxPosition,
    openQuantity: trip.position,
    averageEntryPrice: trip.entryNotional.div(trip.entryQuantity),
    averageExitPrice: trip.exitQuantity.isZero() ? undefined : trip.exitNotional.div(trip.exitQuantity),
    realizedGrossPnl: trip.realizedGrossPnl,
    commissions: trip.commissions,
    realizedNetPnl: trip.realizedGrossPnl.minus(trip.commissions),
  };
}
