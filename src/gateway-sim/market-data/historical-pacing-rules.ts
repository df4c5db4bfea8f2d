import { ConfigError, InvariantError } from "../../core/errors.js";

/**
 * IB's historical data pacing limits (ibkr-facts.md §3.1, DOC 21-hist-md.md "Pacing Violations for Small
 * Bars"; OLDDOC historical_limitations.html for the 50 open requests). The defaults are IB's.
 */
export interface HistoricalPacingSettings {
  /** An identical request less than this after another is refused (IB: 15 s; exactly 15 s later is fine). */
  readonly identicalRequestWindowMs: number;
  /** Window of the same contract + exchange + whatToShow rule (IB: 2 s). */
  readonly sameSeriesWindowMs: number;
  /** Most requests for one contract + exchange + whatToShow inside that window (IB: 5; the 6th is refused). */
  readonly maxSameSeriesRequests: number;
  /** The long window (IB: 10 minutes). */
  readonly longWindowMs: number;
  /** Most requests in any long window (IB: 60; the 61st is refused). */
  readonly maxRequestsPerLongWindow: number;
  /** Most requests open at once, for every bar size (IB: 50; the 51st is refused). */
  readonly maxOpenRequests: number;
  /** How many requests one BID_ASK request counts as (IB: 2). */
  readonly bidAskWeight: number;
  /** The three rate rules cover bars of at most this many seconds (IB: 30). */
  readonly smallBarMaxSeconds: number;
  /** Applies the rate rules to every bar size, for a stricter pacer than IB's current one. */
  readonly applyToAllBarSizes: boolean;
}

/** IB's limits. */
export const IB_HISTORICAL_PACING: HistoricalPacingSettings = Object.freeze({
  identicalRequestWindowMs: 15_000,
  sameSeriesWindowMs: 2_000,
  maxSameSeriesRequests: 5,
  longWindowMs: 600_000,
  maxRequestsPerLongWindow: 60,
  maxOpenRequests: 50,
  bidAskWeight: 2,
  smallBarMaxSeconds: 30,
  applyToAllBarSizes: false,
});

/** What the rules need to know of one historical data request. */
export interface PacedHistoricalRequest {
  /** Every parameter except the request id: requests with equal keys are identical. */
  readonly identityKey: string;
  /** Contract, exchange and whatToShow: the key of the six-in-two-seconds rule. */
  readonly seriesKey: string;
  /** Bar length in seconds (a day counts as 86,400 and so on). */
  readonly barSeconds: number;
  /** IB's whatToShow; BID_ASK counts bidAskWeight times. */
  readonly whatToShow: string;
}

/** Which limit refused a request. */
export type PacingRule =
  "forced" | "open-requests" | "identical-request" | "same-series-burst" | "long-window";

/** The verdict on one request: admitted with a handle to close it, or refused by a rule. */
export type PacingDecision =
  | {
      readonly admitted: true;
      /** Marks the request finished or cancelled, freeing its open slot; further calls do nothing. */
      readonly release: () => void;
    }
  | { readonly admitted: false; readonly rule: PacingRule };

interface AdmittedRecord {
  readonly timeMs: number;
  readonly identityKey: string;
  readonly seriesKey: string;
  readonly weight: number;
}

/**
 * Decides, at a given simulated instant, whether IB would serve a historical data request or answer 162
 * "pacing violation". Pure: time is passed in, nothing is scheduled. Only admitted requests count towards
 * later decisions (a refused request reached no data farm); a request counts as made at the instant it is
 * admitted, and a window of W ms holds the requests made less than W ms earlier.
 */
export class HistoricalPacingRules {
  readonly settings: HistoricalPacingSettings;
  private records: AdmittedRecord[] = [];
  private open = 0;
  private forced = 0;

  constructor(settings: Partial<HistoricalPacingSettings> = {}) {
    this.settings = validate({ ...IB_HISTORICAL_PACING, ...settings });
  }

  /** Requests admitted and not yet released. */
  get openRequests(): number {
    return this.open;
  }

  /** Fault injection: the next `count` requests are refused as pacing violations whatever the rules say. */
  forcePacingViolations(count: number): void {
    if (!Number.isInteger(count) || count < 0) {
      throw new InvariantError(`forcePacingViolations needs a count ≥ 0, got ${count}`);
    }
    this.forced += count;
  }

  /** Decides on `request` made at `nowMs` and, if it is admitted, records it as made then and open. */
  admit(request: PacedHistoricalRequest, nowMs: number): PacingDecision {
    if (!Number.isFinite(nowMs)) throw new InvariantError(`pacing time ${nowMs} is not finite`);
    const refusal = this.refusal(request, nowMs);
    if (refusal !== undefined) return { admitted: false, rule: refusal };
    if (this.isRateLimited(request)) {
      this.records.push({
        timeMs: nowMs,
        identityKey: request.identityKey,
        seriesKey: request.seriesKey,
        weight: this.weightOf(request),
      });
    }
    this.open += 1;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.open -= 1;
      },
    };
  }

  private refusal(request: PacedHistoricalRequest, nowMs: number): PacingRule | undefined {
    if (this.forced > 0) {
      this.forced -= 1;
      return "forced";
    }
    if (this.open >= this.settings.maxOpenRequests) return "open-requests";
    if (!this.isRateLimited(request)) return undefined;
    this.forget(nowMs);
    const {
      identicalRequestWindowMs,
      sameSeriesWindowMs,
      maxSameSeriesRequests,
      longWindowMs,
      maxRequestsPerLongWindow,
    } = this.settings;
    const within = (record: AdmittedRecord, windowMs: number): boolean => nowMs - record.timeMs < windowMs;
    if (
      this.records.some((r) => r.identityKey === request.identityKey && within(r, identicalRequestWindowMs))
    ) {
      return "identical-request";
    }
    const weight = this.weightOf(request);
    const sameSeries = this.sumWeights(
      (r) => r.seriesKey === request.seriesKey && within(r, sameSeriesWindowMs),
    );
    if (sameSeries + weight > maxSameSeriesRequests) return "same-series-burst";
    if (this.sumWeights((r) => within(r, longWindowMs)) + weight > maxRequestsPerLongWindow) {
      return "long-window";
    }
    return undefined;
  }

  private isRateLimited(request: PacedHistoricalRequest): boolean {
    return this.settings.applyToAllBarSizes || request.barSeconds <= this.settings.smallBarMaxSeconds;
  }

  private weightOf(request: PacedHistoricalRequest): number {
    return request.whatToShow.trim().toUpperCase() === "BID_ASK" ? this.settings.bidAskWeight : 1;
  }

  private sumWeights(include: (record: AdmittedRecord) => boolean): number {
    let sum = 0;
    for (const record of this.records) if (include(record)) sum += record.weight;
    return sum;
  }

  /** Drops records no window can hold any more. */
  private forget(nowMs: number): void {
    const { identicalRequestWindowMs, sameSeriesWindowMs, longWindowMs } = this.settings;
    const longest = Math.max(identicalRequestWindowMs, sameSeriesWindowMs, longWindowMs);
    if (this.records.some((record) => nowMs - record.timeMs >= longest)) {
      this.records = this.records.filter((record) => nowMs - record.timeMs < longest);
    }
  }
}

function validate(settings: HistoricalPacingSettings): HistoricalPacingSettings {
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value === "boolean") continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new ConfigError(`historical pacing setting ${key} is ${String(value)}; use an integer ≥ 0`);
    }
  }
  return Object.freeze(settings);
}
