import { ConfigError, GatewayError } from "../core/errors.js";
import type { CancelTimer, Scheduler } from "../core/scheduler.js";
import { historicalIdentityKey, historicalSeriesKey, type HistoricalRequest } from "./historical-request.js";
import { PacingLedger, type PacingSend } from "./pacing-ledger.js";
import { historicalPacingLimits, pacingWeightOf, type HistoricalPacingLimits } from "./pacing-limits.js";

/** Why a history request is made, most urgent first: live resubscription or gap backfill, warm-up, bulk backfill. */
export type HistoryPriority = "live" | "warmup" | "backfill";

const PRIORITIES: readonly HistoryPriority[] = ["live", "warmup", "backfill"];

/** How a `HistoricalPacer` is set up; every field but the scheduler has a default. */
export interface HistoricalPacerOptions {
  readonly scheduler: Scheduler;
  /** IB's limits by default (pacing-limits.ts). */
  readonly limits?: Partial<HistoricalPacingLimits>;
  /** Added to every window, the 1-second one included (default 1000 ms). */
  readonly safetyMarginMs?: number;
  /** History requests in any 1-second window (plus the margin), 1–50 (default 40). */
  readonly maxRequestsPerSecond?: number;
  /** Wait before retrying a request IB refused with 162, doubling per refusal (default 15 s up to 10 min). */
  readonly pacingBackoffMs?: { readonly initial: number; readonly max: number };
  /** Retries of a request that timed out before its caller gets the error (default 2). */
  readonly maxTimeoutRetries?: number;
}

/** Counters of a `HistoricalPacer` since it was made. */
export interface PacerStats {
  /** Requests handed to `run`, retries included. */
  readonly sent: number;
  /** Callers resolved. */
  readonly completed: number;
  /** Callers rejected. */
  readonly failed: number;
  /** 162 pacing refusals (each retried). */
  readonly pacingViolations: number;
  /** Requests re-queued because the connection dropped. */
  readonly disconnectRetries: number;
  /** Requests re-queued after a timeout. */
  readonly timeoutRetries: number;
  /** Requests waiting to be sent. */
  readonly queued: number;
  /** Requests sent and not yet settled. */
  readonly open: number;
  /** Longest time a request waited between being queued (or re-queued) and being sent. */
  readonly maxQueueWaitMs: number;
  readonly paused: boolean;
}

interface Entry {
  readonly request: HistoricalRequest;
  readonly priority: HistoryPriority;
  readonly sequence: number;
  readonly identityKey: string;
  readonly seriesKey: string;
  readonly weight: number;
  readonly run: (request: HistoricalRequest, sent: () => void) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  queuedAtMs: number;
  /** Not to be sent before this instant (162 backoff). */
  notBeforeMs: number;
  /** Re-queued after a failure: kept ahead of first attempts in its class, in submit order. */
  retried: boolean;
  pacingViolations: number;
  timeouts: number;
  /** The `resume()` count when it was sent, to tell a fresh disconnect from a stale one. */
  sentInEpoch: number;
}

type Choice =
  | { readonly kind: "send"; readonly entry: Entry }
  | { readonly kind: "wait"; readonly atMs: number }
  | { readonly kind: "idle" };

const DEFAULT_BACKOFF = { initial: 15_000, max: 600_000 } as const;

/**
 * Sends historical data requests as fast as IB's pacing rules allow and no faster, applied to every bar
 * size: no identical request within 15 s, at most 5 per series in 2 s, 60 per 10 minutes (BID_ASK counts
 * 2), 50 open, `maxRequestsPerSecond` per second, each window widened by `safetyMarginMs`. Urgent classes
 * go first, FIFO within a class, but a request held only by its own series or identical-request rule never
 * blocks later ones. It arms one timer for the exact instant the next request becomes allowed, and retries
 * pacing refusals, dropped connections and timeouts as documented on `submit`.
 */
export class HistoricalPacer {
  private readonly scheduler: Scheduler;
  private readonly limits: HistoricalPacingLimits;
  private readonly ledger: PacingLedger;
  private readonly backoff: { readonly initial: number; readonly max: number };
  private readonly maxTimeoutRetries: number;
  private readonly queues = new Map<HistoryPriority, Entry[]>(PRIORITIES.map((priority) => [priority, []]));
  private sequence = 0;
  private open = 0;
  private paused = false;
  private epoch = 0;
  private closedBy: Error | undefined;
  private timer: { readonly atMs: number; readonly cancel: CancelTimer } | undefined;
  private pumping = false;
  private readonly counters = {
    sent: 0,
    completed: 0,
    failed: 0,
    pacingViolations: 0,
    disconnectRetries: 0,
    timeoutRetries: 0,
    maxQueueWaitMs: 0,
  };

  constructor(options: HistoricalPacerOptions) {
    this.scheduler = options.scheduler;
    this.limits = historicalPacingLimits(options.limits);
    const safetyMarginMs = options.safetyMarginMs ?? 1_000;
    const maxRequestsPerSecond = options.maxRequestsPerSecond ?? 40;
    this.backoff = options.pacingBackoffMs ?? DEFAULT_BACKOFF;
    this.maxTimeoutRetries = options.maxTimeoutRetries ?? 2;
    requireInteger("safetyMarginMs", safetyMarginMs, 0, Number.MAX_SAFE_INTEGER);
    requireInteger("maxRequestsPerSecond", maxRequestsPerSecond, 1, 50);
    requireInteger("pacingBackoffMs.initial", this.backoff.initial, 1, Number.MAX_SAFE_INTEGER);
    requireInteger("pacingBackoffMs.max", this.backoff.max, this.backoff.initial, Number.MAX_SAFE_INTEGER);
    requireInteger("maxTimeoutRetries", this.maxTimeoutRetries, 0, Number.MAX_SAFE_INTEGER);
    this.ledger = new PacingLedger(this.limits, safetyMarginMs, maxRequestsPerSecond);
  }

  /**
   * Queues `request` and calls `run` with it once the rules allow; settles with what `run` settles with.
   * `run` calls `sent` when the request has actually left (it may wait in a send queue first): the rules
   * then count it from that moment.
   * A 162 (`PacingViolationError`) is retried indefinitely, first in its class, after a doubling backoff;
   * GATEWAY_DISCONNECTED re-queues it first in its class and pauses the pacer until `resume()`;
   * GATEWAY_TIMEOUT is retried `maxTimeoutRetries` times; any other error rejects at once.
   */
  submit<T>(
    request: HistoricalRequest,
    priority: HistoryPriority,
    run: (request: HistoricalRequest, sent: () => void) => Promise<T>,
  ): Promise<T> {
    if (this.closedBy !== undefined) return Promise.reject(this.closedBy);
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        request,
        priority,
        sequence: this.sequence++,
        identityKey: historicalIdentityKey(request),
        seriesKey: historicalSeriesKey(request),
        weight: pacingWeightOf(request, this.limits),
        run,
        resolve: resolve as (value: unknown) => void,
        reject,
        queuedAtMs: this.scheduler.nowMs(),
        notBeforeMs: Number.NEGATIVE_INFINITY,
        retried: false,
        pacingViolations: 0,
        timeouts: 0,
        sentInEpoch: 0,
      };
      this.queueOf(priority).push(entry);
      this.pump();
    });
  }

  /** Sends nothing new until `resume()` (the connection is down); open requests settle as usual. */
  pause(): void {
    this.paused = true;
    this.disarm();
  }

  /** Sends again after `pause()` or a dropped connection. */
  resume(): void {
    this.paused = false;
    this.epoch += 1;
    this.pump();
  }

  /** Rejects every queued request and every later submit with `reason`; open requests still settle. */
  close(reason: Error): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = reason;
    this.disarm();
    for (const queue of this.queues.values()) {
      for (const entry of queue.splice(0)) this.fail(entry, reason);
    }
  }

  /** A snapshot of the counters. */
  get stats(): PacerStats {
    let queued = 0;
    for (const queue of this.queues.values()) queued += queue.length;
    return { ...this.counters, queued, open: this.open, paused: this.paused };
  }

  private queueOf(priority: HistoryPriority): Entry[] {
    const queue = this.queues.get(priority);
    if (queue === undefined) throw new ConfigError(`unknown history priority "${priority}"`);
    return queue;
  }

  /** Sends whatever is allowed now, then arms the timer for the next instant something will be. */
  private pump(): void {
    // Re-entered from inside a `run` call (a submit, pause or close): the running loop looks again anyway.
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.dispatchAllowed();
    } finally {
      this.pumping = false;
    }
  }

  private dispatchAllowed(): void {
    for (;;) {
      if (this.paused || this.closedBy !== undefined) {
        this.disarm();
        return;
      }
      const nowMs = this.scheduler.nowMs();
      const choice = this.choose(nowMs);
      if (choice.kind === "send") {
        this.dispatch(choice.entry, nowMs);
        continue;
      }
      if (choice.kind === "wait") this.arm(choice.atMs, nowMs);
      else this.disarm();
      return;
    }
  }

  /**
   * The first request in priority order that its own rules (backoff, identical, series) allow now; if the
   * shared rules (long window, message rate) hold it, everyone waits for it. Otherwise the earliest instant
   * any request becomes allowed. Open-request limit: wait for a settle, which pumps again.
   */
  private choose(nowMs: number): Choice {
    if (this.open >= this.limits.maxOpenRequests) return { kind: "idle" };
    this.ledger.forget(nowMs);
    const sharedByWeight = new Map<number, number>();
    const seriesByKey = new Map<string, number>();
    const sharedFreeAt = (weight: number): number => {
      let atMs = sharedByWeight.get(weight);
      if (atMs === undefined) {
        atMs = this.ledger.sharedFreeAtMs(weight, nowMs);
        sharedByWeight.set(weight, atMs);
      }
      return atMs;
    };
    let earliestMs = Number.POSITIVE_INFINITY;
    for (const priority of PRIORITIES) {
      for (const entry of this.queueOf(priority)) {
        const seriesCacheKey = `${entry.weight}#${entry.seriesKey}`;
        let seriesMs = seriesByKey.get(seriesCacheKey);
        if (seriesMs === undefined) {
          seriesMs = this.ledger.seriesFreeAtMs(entry.seriesKey, entry.weight, nowMs);
          seriesByKey.set(seriesCacheKey, seriesMs);
        }
        const ownMs = Math.max(entry.notBeforeMs, this.ledger.identicalFreeAtMs(entry.identityKey), seriesMs);
        const sharedMs = sharedFreeAt(entry.weight);
        if (ownMs <= nowMs) {
          if (sharedMs <= nowMs) return { kind: "send", entry };
          return { kind: "wait", atMs: Math.min(earliestMs, sharedMs) };
        }
        earliestMs = Math.min(earliestMs, Math.max(ownMs, sharedMs));
      }
    }
    return Number.isFinite(earliestMs) ? { kind: "wait", atMs: earliestMs } : { kind: "idle" };
  }

  private dispatch(entry: Entry, nowMs: number): void {
    const queue = this.queueOf(entry.priority);
    queue.splice(queue.indexOf(entry), 1);
    const send: PacingSend = {
      timeMs: nowMs,
      identityKey: entry.identityKey,
      seriesKey: entry.seriesKey,
      weight: entry.weight,
    };
    this.ledger.record(send);
    // A request can wait in the connection's send queue (behind the message rate) before it leaves: IB
    // counts it from its arrival, so the windows count it from the moment it actually left.
    const sent = (): void => {
      this.ledger.moveToNow(send, this.scheduler.nowMs());
    };
    this.open += 1;
    this.counters.sent += 1;
    this.counters.maxQueueWaitMs = Math.max(this.counters.maxQueueWaitMs, nowMs - entry.queuedAtMs);
    entry.sentInEpoch = this.epoch;
    let outcome: Promise<unknown>;
    try {
      outcome = entry.run(entry.request, sent);
    } catch (error) {
      outcome = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    void outcome.then(
      (value) => {
        this.settled(entry, { ok: true, value });
      },
      (error: unknown) => {
        this.settled(entry, { ok: false, error });
      },
    );
  }

  private settled(entry: Entry, outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): void {
    this.open -= 1;
    if (outcome.ok) {
      this.counters.completed += 1;
      entry.resolve(outcome.value);
    } else {
      this.handleFailure(entry, outcome.error);
    }
    this.pump();
  }

  private handleFailure(entry: Entry, error: unknown): void {
    const code = error instanceof GatewayError ? error.code : undefined;
    const retryable =
      code === "PACING_VIOLATION" || code === "GATEWAY_DISCONNECTED" || code === "GATEWAY_TIMEOUT";
    if (retryable && this.closedBy !== undefined) {
      this.fail(entry, this.closedBy);
      return;
    }
    const nowMs = this.scheduler.nowMs();
    if (code === "PACING_VIOLATION") {
      this.counters.pacingViolations += 1;
      entry.pacingViolations += 1;
      const delayMs = Math.min(this.backoff.max, this.backoff.initial * 2 ** (entry.pacingViolations - 1));
      entry.notBeforeMs = nowMs + delayMs;
      this.requeue(entry, nowMs);
    } else if (code === "GATEWAY_DISCONNECTED") {
      this.counters.disconnectRetries += 1;
      this.requeue(entry, nowMs);
      // A disconnect reported for a request sent before the last resume() is old news: stay running.
      if (entry.sentInEpoch === this.epoch) this.pause();
    } else if (code === "GATEWAY_TIMEOUT" && entry.timeouts < this.maxTimeoutRetries) {
      entry.timeouts += 1;
      this.counters.timeoutRetries += 1;
      this.requeue(entry, nowMs);
    } else {
      this.fail(entry, error);
    }
  }

  /** Puts a failed request back at the front of its class, behind retries submitted before it. */
  private requeue(entry: Entry, nowMs: number): void {
    const queue = this.queueOf(entry.priority);
    entry.retried = true;
    entry.queuedAtMs = nowMs;
    let index = 0;
    while (
      index < queue.length &&
      queue[index]?.retried === true &&
      (queue[index]?.sequence ?? 0) < entry.sequence
    ) {
      index += 1;
    }
    queue.splice(index, 0, entry);
  }

  private fail(entry: Entry, error: unknown): void {
    this.counters.failed += 1;
    entry.reject(error);
  }

  private arm(atMs: number, nowMs: number): void {
    if (this.timer?.atMs === atMs) return;
    this.disarm();
    const cancel = this.scheduler.setTimer(atMs - nowMs, () => {
      this.timer = undefined;
      this.pump();
    });
    this.timer = { atMs, cancel };
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `historical pacer option ${name} is ${value}; use an integer from ${min} to ${max}`,
    );
  }
}
