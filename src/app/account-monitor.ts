import { Decimal } from "decimal.js";
import type { Observable, Subscription } from "rxjs";
import type { Logger } from "pino";
import type {
  IbAccountPnl,
  IbAccountSnapshot,
  IbAccountSummary,
  IbAccountUpdate,
  IbPositionPnl,
} from "../adapters/ib/ib-account-client.js";
import { maskAccountId } from "../core/account-id.js";
import type { Clock } from "../core/clock.js";
import type { Fill } from "../model/fill.js";
import type { Position } from "../model/position.js";

const ZERO = new Decimal(0);
const ONE = new Decimal(1);

/** The ledger as the monitor reads it (Portfolio is one). */
export interface MonitoredLedger {
  cash(): Decimal;
  equity(): Decimal;
  position(symbol: string): Pick<Position, "quantity" | "averageCost"> | undefined;
  positions(): readonly Pick<Position, "symbol">[];
  /** At our last price, commissions excluded. */
  unrealizedPnl(symbol?: string): Decimal;
  /** Before commissions. */
  realizedPnl(symbol?: string): Decimal;
  totalCommissions(symbol?: string): Decimal;
}

/** Where IB's figures come from (IbAccountClient is one). */
export interface AccountSnapshotSource {
  readonly updates$: Observable<IbAccountUpdate>;
  snapshot(): IbAccountSnapshot;
}

/** What is compared per position. */
export type DivergenceField = "quantity" | "unrealizedPnl";

/** IB's figure and ours for one field of one position, when they differ by more than allowed. */
export interface AccountDivergence {
  readonly symbol: string;
  readonly field: DivergenceField;
  readonly ib: Decimal;
  readonly ours: Decimal;
  /** ours − IB. */
  readonly difference: Decimal;
  /** When it was first seen. */
  readonly sinceMs: number;
}

/** Counters for metrics. */
export interface AccountMonitorStats {
  /** Position comparisons made. */
  readonly checks: number;
  /** Divergences reported (each counted once, however long it lasts). */
  readonly divergences: number;
  readonly lastDivergence?: AccountDivergence;
}

/** One position as IB and our ledger see it. */
export interface PositionComparison {
  readonly symbol: string;
  readonly ib: IbPositionPnl | undefined;
  /** IB's mark: value ÷ position (undefined while IB reports no position). */
  readonly ibMark: Decimal | undefined;
  readonly ours: {
    readonly quantity: Decimal;
    /** Per share, commissions excluded. */
    readonly averageCost: Decimal | undefined;
    /** The ledger's own figure: at our last price, commissions excluded. */
    readonly unrealizedPnl: Decimal;
    /** What IB's unrealized P&L should be: at IB's mark, less the commissions IB's average cost carries. */
    readonly unrealizedPnlAtIbMark: Decimal | undefined;
    /** Commissions of the open position that IB counts in its average cost. */
    readonly commissionInCost: Decimal;
    /** Lifetime, before commissions. */
    readonly realizedPnl: Decimal;
    readonly commissions: Decimal;
  };
}

/** IB's numbers beside ours, for a status page. */
export interface AccountView {
  /** Masked account id. */
  readonly account: string;
  readonly ib: { readonly summary: IbAccountSummary | undefined; readonly pnl: IbAccountPnl | undefined };
  readonly ours: {
    readonly cash: Decimal;
    readonly equity: Decimal;
    readonly unrealizedPnl: Decimal;
    readonly realizedPnl: Decimal;
    readonly commissions: Decimal;
  };
  readonly positions: readonly PositionComparison[];
  /** Divergences reported and not yet converged. */
  readonly divergences: readonly AccountDivergence[];
  readonly stats: AccountMonitorStats;
}

/** What an AccountMonitor watches and how strictly. */
export interface AccountMonitorOptions {
  readonly source: AccountSnapshotSource;
  readonly ledger: MonitoredLedger;
  /** USD: an unrealized P&L difference larger than this diverges (PNL_DIVERGENCE_TOLERANCE). */
  readonly tolerance: Decimal;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * A divergence is reported only once it has lasted this long (our fill and IB's P&L refresh can pass each
   * other); default 0, reported at once.
   */
  readonly graceMs?: number;
}

interface OpenDivergence {
  latest: AccountDivergence;
  reported: boolean;
}

/**
 * Keeps IB's account figures beside our ledger: on every P&L update of a position (and on check()) the
 * quantity must match exactly and the unrealized P&L within the tolerance. IB's average cost includes the
 * commissions of the open position while ours excludes them, so ours is compared at IB's mark less those
 * commissions; feed every fill the ledger books to recordFill (and late commissions to
 * recordLateCommission) so the monitor knows them. A divergence is logged once (warn
 * `account.divergence`) and counted until it is back within the tolerance (info `account.converged`).
 */
export class AccountMonitor {
  private readonly commissions = new CommissionInCost();
  private readonly open = new Map<string, OpenDivergence>();
  private subscription: Subscription | undefined;
  private checks = 0;
  private divergences = 0;
  private lastDivergence: AccountDivergence | undefined;

  constructor(private readonly options: AccountMonitorOptions) {}

  /** Checks each position as IB's P&L for it arrives. */
  start(): void {
    if (this.subscription !== undefined) return;
    this.subscription = this.options.source.updates$.subscribe((update) => {
      if (update.type === "PositionPnlUpdated") this.checkSymbol(update.snapshot, update.symbol);
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** Books a fill the ledger booked, for the commissions IB carries in its average cost (idempotent by fillId). */
  recordFill(fill: Fill): void {
    this.commissions.recordFill(fill);
  }

  /** Books a commission that arrived after its fill (Portfolio.applyLateCommission). */
  recordLateCommission(fillId: string, commission: Decimal): void {
    this.commissions.recordLateCommission(fillId, commission);
  }

  /** Compares every position IB reports P&L for, now; returns the divergences reported and still open. */
  check(): readonly AccountDivergence[] {
    const snapshot = this.options.source.snapshot();
    for (const symbol of snapshot.positions.keys()) this.checkSymbol(snapshot, symbol);
    return this.openDivergences();
  }

  stats(): AccountMonitorStats {
    const stats = { checks: this.checks, divergences: this.divergences };
    return Object.freeze(
      this.lastDivergence === undefined ? stats : { ...stats, lastDivergence: this.lastDivergence },
    );
  }

  /** IB's figures and ours side by side. */
  view(): AccountView {
    const { ledger } = this.options;
    const snapshot = this.options.source.snapshot();
    const symbols = new Set([...snapshot.positions.keys(), ...ledger.positions().map((item) => item.symbol)]);
    return Object.freeze({
      account: snapshot.account === "" ? "" : maskAccountId(snapshot.account),
      ib: Object.freeze({ summary: snapshot.summary, pnl: snapshot.pnl }),
      ours: Object.freeze({
        cash: ledger.cash(),
        equity: ledger.equity(),
        unrealizedPnl: ledger.unrealizedPnl(),
        realizedPnl: ledger.realizedPnl(),
        commissions: ledger.totalCommissions(),
      }),
      positions: Object.freeze(
        [...symbols].sort().map((symbol) => this.compare(symbol, snapshot.positions.get(symbol))),
      ),
      divergences: this.openDivergences(),
      stats: this.stats(),
    });
  }

  private openDivergences(): readonly AccountDivergence[] {
    return Object.freeze(
      [...this.open.values()].filter((entry) => entry.reported).map((entry) => entry.latest),
    );
  }

  private compare(symbol: string, ib: IbPositionPnl | undefined): PositionComparison {
    const { ledger } = this.options;
    const position = ledger.position(symbol);
    const quantity = position?.quantity ?? ZERO;
    const commissionInCost = this.commissions.of(symbol);
    const ibMark =
      ib?.position !== undefined && !ib.position.isZero() && ib.value !== undefined
        ? ib.value.dividedBy(ib.position)
        : undefined;
    // Only comparable while the quantities agree: IB's value is its position × its mark.
    let unrealizedPnlAtIbMark: Decimal | undefined;
    if (ib?.position?.eq(quantity) === true) {
      if (position === undefined || quantity.isZero()) unrealizedPnlAtIbMark = ZERO;
      else if (ib.value !== undefined) {
        // IB's average cost carries the commissions of the open position; ours leaves them in cash.
        unrealizedPnlAtIbMark = ib.value.minus(position.averageCost.times(quantity)).minus(commissionInCost);
      }
    }
    return Object.freeze({
      symbol,
      ib,
      ibMark,
      ours: Object.freeze({
        quantity,
        averageCost: position?.averageCost,
        unrealizedPnl: ledger.unrealizedPnl(symbol),
        unrealizedPnlAtIbMark,
        commissionInCost,
        realizedPnl: ledger.realizedPnl(symbol),
        commissions: ledger.totalCommissions(symbol),
      }),
    });
  }

  private checkSymbol(snapshot: IbAccountSnapshot, symbol: string): void {
    const ib = snapshot.positions.get(symbol);
    if (ib === undefined) return;
    this.checks += 1;
    const comparison = this.compare(symbol, ib);
    const { ours } = comparison;
    // Fields IB left unset are not compared: an open divergence on them stays as it was.
    if (ib.position !== undefined) {
      this.judge(symbol, "quantity", ib.position, ours.quantity, !ib.position.eq(ours.quantity));
    }
    // Undefined while the quantities differ: the quantity divergence says what is wrong.
    if (ib.unrealizedPnl !== undefined && ours.unrealizedPnlAtIbMark !== undefined) {
      const difference = ours.unrealizedPnlAtIbMark.minus(ib.unrealizedPnl);
      this.judge(
        symbol,
        "unrealizedPnl",
        ib.unrealizedPnl,
        ours.unrealizedPnlAtIbMark,
        difference.abs().gt(this.options.tolerance),
      );
    }
  }

  private judge(symbol: string, field: DivergenceField, ib: Decimal, ours: Decimal, diverged: boolean): void {
    const key = `${symbol}\u0000${field}`;
    const open = this.open.get(key);
    const fields = (): Record<string, string> => ({
      symbol,
      field,
      ib: ib.toString(),
      ours: ours.toString(),
      difference: ours.minus(ib).toString(),
    });
    if (!diverged) {
      if (open === undefined) return;
      this.open.delete(key);
      if (open.reported) {
        this.options.logger.info({ event: "account.converged", ...fields() }, "ledger agrees with IB again");
      }
      return;
    }
    const nowMs = this.options.clock.nowMs();
    const latest: AccountDivergence = Object.freeze({
      symbol,
      field,
      ib,
      ours,
      difference: ours.minus(ib),
      sinceMs: open?.latest.sinceMs ?? nowMs,
    });
    const entry = open ?? { latest, reported: false };
    entry.latest = latest;
    this.open.set(key, entry);
    if (entry.reported || nowMs - latest.sinceMs < (this.options.graceMs ?? 0)) return;
    entry.reported = true;
    this.divergences += 1;
    this.lastDivergence = latest;
    this.options.logger.warn(
      { event: "account.divergence", ...fields() },
      `ledger ${field} of ${symbol} differs from IB's`,
    );
  }
}

interface OpenLot {
  quantity: Decimal;
  /** Commissions carried in the open position's cost. */
  inCost: Decimal;
  /** Bumped whenever the position goes flat: later commissions of older fills no longer count. */
  epoch: number;
  /** Product of the fractions left by each reduction in this epoch. */
  survival: Decimal;
}

interface BookedFill {
  readonly symbol: string;
  readonly epoch: number;
  /** Share of the fill that opened or added to the position. */
  readonly openedFraction: Decimal;
  readonly survivalAtFill: Decimal;
}

/**
 * The commissions IB counts in a position's average cost: the commissions of the executions that opened or
 * added to it, reduced in proportion as the position is reduced (an average-cost position keeps its
 * average cost when part of it is sold), gone when it is flat (ibkr-facts.md §2.2 POSITION avgCost;
 * gateway-sim's AccountLedger books the same way).
 */
export class CommissionInCost {
  private readonly lots = new Map<string, OpenLot>();
  private readonly fills = new Map<string, BookedFill>();
  private readonly lateCommissions = new Set<string>();

  /** The commissions in the cost of the open position in `symbol` (zero when flat or unknown). */
  of(symbol: string): Decimal {
    return this.lots.get(symbol)?.inCost ?? ZERO;
  }

  /** Books a fill; a fill already booked (same fillId) changes nothing. */
  recordFill(fill: Fill): void {
    if (this.fills.has(fill.fillId) || fill.quantity.isZero()) return;
    const lot = this.lotOf(fill.symbol);
    const signed = fill.side === "BUY" ? fill.quantity : fill.quantity.negated();
    const held = lot.quantity;
    const reducing = !held.isZero() && held.isPositive() !== signed.isPositive();
    const closed = reducing ? Decimal.min(held.abs(), fill.quantity) : ZERO;
    if (!closed.isZero()) {
      const left = held.abs().minus(closed);
      if (left.isZero()) {
        lot.epoch += 1;
        lot.survival = ONE;
        lot.inCost = ZERO;
      } else {
        const fraction = left.dividedBy(held.abs());
        lot.survival = lot.survival.times(fraction);
        lot.inCost = lot.inCost.times(fraction);
      }
    }
    const openedFraction = fill.quantity.minus(closed).dividedBy(fill.quantity);
    lot.inCost = lot.inCost.plus(fill.commission.times(openedFraction));
    lot.quantity = held.plus(signed);
    this.fills.set(fill.fillId, {
      symbol: fill.symbol,
      epoch: lot.epoch,
      openedFraction,
      survivalAtFill: lot.survival,
    });
  }

  /** Adds a commission reported after its fill was booked (once per fill; unknown fills are ignored). */
  recordLateCommission(fillId: string, commission: Decimal): void {
    const fill = this.fills.get(fillId);
    if (fill === undefined || this.lateCommissions.has(fillId)) return;
    this.lateCommissions.add(fillId);
    const lot = this.lotOf(fill.symbol);
    if (lot.epoch !== fill.epoch || fill.openedFraction.isZero()) return;
    const surviving = lot.survival.dividedBy(fill.survivalAtFill);
    lot.inCost = lot.inCost.plus(commission.times(fill.openedFraction).times(surviving));
  }

  private lotOf(symbol: string): OpenLot {
    let lot = this.lots.get(symbol);
    if (lot === undefined) {
      lot = { quantity: ZERO, inCost: ZERO, epoch: 0, survival: ONE };
      this.lots.set(symbol, lot);
    }
    return lot;
  }
}
