import { Decimal } from "decimal.js";
import { InvariantError } from "../core/errors.js";
import type { Fill } from "../model/fill.js";
import type { Position } from "../model/position.js";
import type { PortfolioView } from "./portfolio-view.js";

const ZERO = new Decimal(0);

/**
 * A partial close takes its share of the cost basis (basis × closed / held), rounded to this many places so
 * that ledger amounts keep a bounded number of decimals and later sums stay exact within Decimal's precision.
 */
const CLOSED_BASIS_DECIMAL_PLACES = 10;

/** Lifetime totals for one symbol; they outlive the position (a closed position keeps its P&L here). */
export interface SymbolTotals {
  readonly symbol: string;
  /** Realized P&L on this symbol, before commissions. */
  readonly realizedPnl: Decimal;
  /** Commissions paid on this symbol. */
  readonly commissions: Decimal;
}

/** Options of a new portfolio. */
export interface PortfolioOptions {
  readonly initialCash: Decimal;
}

/** Everything the ledger knows about one symbol. Number fields are float mirrors for the per-bar fast path. */
interface SymbolState {
  readonly symbol: string;
  /** Signed quantity (negative = short). */
  quantity: Decimal;
  /** Signed cost of the open quantity (quantity × average cost), kept exact so the books always balance. */
  costBasis: Decimal;
  realizedPnl: Decimal;
  commissions: Decimal;
  /** Frozen view of the open position, rebuilt on each fill; undefined when flat. */
  position: Position | undefined;
  totals: SymbolTotals;
  /** Last marked price, NaN until the first mark (a double field, so marking never allocates). */
  lastPrice: number;
  /** `lastPrice` as a Decimal, converted lazily by the exact (Decimal) methods; `markDecimalOf` is its source. */
  markDecimal: Decimal;
  markDecimalOf: number;
  /** Float mirror of `quantity`. */
  quantityEstimate: number;
  /** Float estimate of this symbol's market value, as included in the portfolio's running sum. */
  valueEstimate: number;
}

/**
 * The ledger: cash, positions at average cost, realized P&L and commissions, booked from fills exactly in
 * Decimal. Fills are idempotent by `fillId`. Prices come in through `markPrice` once per bar; that path and
 * `equityEstimate` are allocation-free float code, while `equity` and the P&L methods are exact.
 *
 * A fill does not mark its symbol: until the first `markPrice`, a position is valued at its average cost.
 * The ledger keeps each position's cost basis (quantity × average cost) rather than its average cost, and a
 * partial close removes its share of the basis rounded to 10 decimal places (the only rounding the ledger
 * does; the realized P&L absorbs it). So cash + market value equals initial cash + realized + unrealized −
 * commissions to the last digit, as long as amounts fit decimal.js's default 20 significant digits (e.g. up
 * to 10 integer digits with 10 decimals). The average cost in a position snapshot is basis ÷ quantity,
 * rounded to 20 significant digits, for display and strategies only.
 */
export class Portfolio implements PortfolioView {
  /** Cash at the start, before any fill. */
  readonly initialCash: Decimal;
  private cashBalance: Decimal;
  private realizedTotal = ZERO;
  private commissionTotal = ZERO;
  private readonly states = new Map<string, SymbolState>();
  private readonly appliedFillIds = new Set<string>();
  private readonly lateCommissionFillIds = new Set<string>();
  private openPositions: readonly Position[] = Object.freeze([]);
  private cashEstimate: number;
  private marketValueEstimate = 0;

  constructor(options: PortfolioOptions) {
    if (!options.initialCash.isFinite()) {
      throw new InvariantError(`initial cash ${options.initialCash.toString()} is not a finite number`);
    }
    this.initialCash = options.initialCash;
    this.cashBalance = options.initialCash;
    this.cashEstimate = options.initialCash.toNumber();
  }

  /**
   * Books a fill: cash, position, realized P&L and commissions. Returns false, changing nothing, when a fill
   * with the same `fillId` was already booked; throws an InvariantError (changing nothing) for a malformed fill.
   */
  applyFill(fill: Fill): boolean {
    if (this.appliedFillIds.has(fill.fillId)) return false;
    assertFill(fill);
    this.appliedFillIds.add(fill.fillId);

    const state = this.stateOf(fill.symbol);
    const notional = fill.quantity.times(fill.price);
    const delta = fill.side === "BUY" ? fill.quantity : fill.quantity.negated();
    this.cashBalance = (
      fill.side === "BUY" ? this.cashBalance.minus(notional) : this.cashBalance.plus(notional)
    ).minus(fill.commission);
    this.commissionTotal = this.commissionTotal.plus(fill.commission);
    state.commissions = state.commissions.plus(fill.commission);

    const held = state.quantity;
    if (held.isZero() || held.isNegative() === delta.isNegative()) {
      // Opening or adding: the basis grows by exactly what was paid (or received, for a short).
      state.quantity = held.plus(delta);
      state.costBasis = state.costBasis.plus(delta.times(fill.price));
    } else {
      const heldAbs = held.abs();
      const closedAbs = Decimal.min(heldAbs, fill.quantity);
      const closedSigned = held.isNegative() ? closedAbs.negated() : closedAbs;
      const basisClosed = closedAbs.eq(heldAbs)
        ? state.costBasis
        : state.costBasis
            .times(closedAbs)
            .div(heldAbs)
            .toDecimalPlaces(CLOSED_BASIS_DECIMAL_PLACES, Decimal.ROUND_HALF_EVEN);
      const realized = closedSigned.times(fill.price).minus(basisClosed);
      state.realizedPnl = state.realizedPnl.plus(realized);
      this.realizedTotal = this.realizedTotal.plus(realized);
      const remainder = fill.quantity.minus(closedAbs);
      if (remainder.isZero()) {
        state.quantity = held.minus(closedSigned);
        state.costBasis = state.costBasis.minus(basisClosed);
      } else {
        // Crossed through zero: the rest opens a new position on the other side at the fill price.
        state.quantity = delta.isNegative() ? remainder.negated() : remainder;
        state.costBasis = state.quantity.times(fill.price);
      }
    }
    if (state.quantity.isZero()) state.quantity = ZERO;

    state.totals = Object.freeze({
      symbol: state.symbol,
      realizedPnl: state.realizedPnl,
      commissions: state.commissions,
    });
    state.position = state.quantity.isZero()
      ? undefined
      : positionSnapshot(state.symbol, state.quantity, state.costBasis, state.realizedPnl, state.commissions);
    state.quantityEstimate = state.quantity.toNumber();
    this.rebuildPositions();
    this.resyncEstimates();
    return true;
  }

  /**
   * Books IB's commission for a fill that was booked before its commission report arrived (with commission
   * zero): cash and the symbol's commissions change, the position does not. Returns false, changing nothing,
   * when this fill's late commission was already booked; throws for an unknown fill or a non-finite amount.
   */
  applyLateCommission(fillId: string, symbol: string, commission: Decimal): boolean {
    if (!this.appliedFillIds.has(fillId)) {
      throw new InvariantError(`late commission for fill ${fillId} (${symbol}): the fill was never booked`);
    }
    if (!commission.isFinite()) {
      throw new InvariantError(`late commission ${commission.toString()} for fill ${fillId} is not finite`);
    }
    if (this.lateCommissionFillIds.has(fillId)) return false;
    this.lateCommissionFillIds.add(fillId);
    const state = this.stateOf(symbol);
    this.cashBalance = this.cashBalance.minus(commission);
    this.commissionTotal = this.commissionTotal.plus(commission);
    state.commissions = state.commissions.plus(commission);
    state.totals = Object.freeze({
      symbol: state.symbol,
      realizedPnl: state.realizedPnl,
      commissions: state.commissions,
    });
    if (state.position !== undefined) {
      state.position = positionSnapshot(
        state.symbol,
        state.quantity,
        state.costBasis,
        state.realizedPnl,
        state.commissions,
      );
      this.rebuildPositions();
    }
    this.resyncEstimates();
    return true;
  }

  /**
   * Marks `symbol` at `price` (once per bar): stores the number and updates the running float market value.
   * Does no Decimal math and allocates nothing once the symbol is known.
   */
  markPrice(symbol: string, price: number): void {
    if (!(price >= 0 && price <= Number.MAX_VALUE)) {
      throw new InvariantError(`cannot mark ${symbol} at ${price}: a price must be a finite number >= 0`);
    }
    const state = this.stateOf(symbol);
    const value = state.quantityEstimate * price;
    this.marketValueEstimate += value - state.valueEstimate;
    state.valueEstimate = value;
    state.lastPrice = price;
  }

  /** A float estimate of equity for the per-bar curve: O(1), allocation-free, exact-resynced on every fill. */
  equityEstimate(): number {
    return this.cashEstimate + this.marketValueEstimate;
  }

  cash(): Decimal {
    return this.cashBalance;
  }

  /** Cash + Σ quantity × last price, exactly; a never-marked position counts at its average cost. */
  equity(): Decimal {
    let equity = this.cashBalance;
    for (const state of this.states.values()) {
      if (!state.quantity.isZero()) equity = equity.plus(this.marketValueOf(state));
    }
    return equity;
  }

  /** Unrealized P&L (quantity × last price − cost basis) of `symbol`, or of all positions; zero if never marked. */
  unrealizedPnl(symbol?: string): Decimal {
    if (symbol !== undefined) {
      const state = this.states.get(symbol);
      return state === undefined ? ZERO : this.unrealizedOf(state);
    }
    let total = ZERO;
    for (const state of this.states.values()) total = total.plus(this.unrealizedOf(state));
    return total;
  }

  /** Realized P&L before commissions, of `symbol` or in total, including positions since closed. */
  realizedPnl(symbol?: string): Decimal {
    if (symbol === undefined) return this.realizedTotal;
    return this.states.get(symbol)?.realizedPnl ?? ZERO;
  }

  /** Commissions paid, on `symbol` or in total, including positions since closed. */
  totalCommissions(symbol?: string): Decimal {
    if (symbol === undefined) return this.commissionTotal;
    return this.states.get(symbol)?.commissions ?? ZERO;
  }

  /** Lifetime realized P&L and commissions of `symbol` (zeros if it was never traded); a frozen snapshot. */
  symbolTotals(symbol: string): SymbolTotals {
    return this.states.get(symbol)?.totals ?? Object.freeze({ symbol, realizedPnl: ZERO, commissions: ZERO });
  }

  position(symbol: string): Position | undefined {
    return this.states.get(symbol)?.position;
  }

  positionQuantity(symbol: string): Decimal {
    return this.states.get(symbol)?.quantity ?? ZERO;
  }

  /** Open positions sorted by symbol; the same frozen array until the next fill. */
  positions(): readonly Position[] {
    return this.openPositions;
  }

  /** Number of symbols with a non-zero position: O(1), for the per-bar exposure count. */
  openPositionCount(): number {
    return this.openPositions.length;
  }

  lastPrice(symbol: string): number | undefined {
    const price = this.states.get(symbol)?.lastPrice;
    return price === undefined || Number.isNaN(price) ? undefined : price;
  }

  /** True once a fill with this id has been booked. */
  hasFill(fillId: string): boolean {
    return this.appliedFillIds.has(fillId);
  }

  private stateOf(symbol: string): SymbolState {
    const existing = this.states.get(symbol);
    if (existing !== undefined) return existing;
    const state: SymbolState = {
      symbol,
      quantity: ZERO,
      costBasis: ZERO,
      realizedPnl: ZERO,
      commissions: ZERO,
      position: undefined,
      totals: Object.freeze({ symbol, realizedPnl: ZERO, commissions: ZERO }),
      lastPrice: Number.NaN,
      markDecimal: ZERO,
      markDecimalOf: Number.NaN,
      quantityEstimate: 0,
      valueEstimate: 0,
    };
    this.states.set(symbol, state);
    return state;
  }

  /** Exact market value: quantity × last price, or the cost basis while never marked. */
  private marketValueOf(state: SymbolState): Decimal {
    if (Number.isNaN(state.lastPrice)) return state.costBasis;
    if (state.markDecimalOf !== state.lastPrice) {
      state.markDecimal = new Decimal(state.lastPrice);
      state.markDecimalOf = state.lastPrice;
    }
    return state.quantity.times(state.markDecimal);
  }

  private unrealizedOf(state: SymbolState): Decimal {
    if (state.quantity.isZero()) return ZERO;
    return this.marketValueOf(state).minus(state.costBasis);
  }

  private rebuildPositions(): void {
    const open: Position[] = [];
    for (const state of this.states.values()) if (state.position !== undefined) open.push(state.position);
    open.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    this.openPositions = Object.freeze(open);
  }

  /** Recomputes the float mirrors from the exact state, so float error never accumulates across fills. */
  private resyncEstimates(): void {
    this.cashEstimate = this.cashBalance.toNumber();
    let total = ZERO;
    for (const state of this.states.values()) {
      if (state.quantity.isZero()) {
        state.valueEstimate = 0;
        continue;
      }
      const value = this.marketValueOf(state);
      state.valueEstimate = value.toNumber();
      total = total.plus(value);
    }
    this.marketValueEstimate = total.toNumber();
  }
}

function assertFill(fill: Fill): void {
  const what = `fill ${fill.fillId} (${fill.side} ${fill.symbol})`;
  if (!fill.quantity.isFinite() || fill.quantity.isZero() || fill.quantity.isNegative()) {
    throw new InvariantError(`${what}: quantity ${fill.quantity.toString()} is not positive`);
  }
  if (!fill.price.isFinite() || fill.price.isNegative()) {
    throw new InvariantError(`${what}: price ${fill.price.toString()} is not a finite number >= 0`);
  }
  if (!fill.commission.isFinite()) {
    throw new InvariantError(`${what}: commission ${fill.commission.toString()} is not finite`);
  }
}

/**
 * A frozen position whose average cost is divided out only when read: most fills never need it, and a
 * Decimal division is the most expensive step of booking a fill.
 */
function positionSnapshot(
  symbol: string,
  quantity: Decimal,
  costBasis: Decimal,
  realizedPnl: Decimal,
  commissions: Decimal,
): Position {
  let averageCost: Decimal | undefined;
  return Object.freeze({
    symbol,
    quantity,
    get averageCost(): Decimal {
      averageCost ??= costBasis.div(quantity);
      return averageCost;
    },
    realizedPnl,
    commissions,
  });
}
