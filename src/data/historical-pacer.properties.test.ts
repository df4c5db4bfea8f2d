import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GatewayError, PacingViolationError } from "../core/errors.js";
import { ManualScheduler } from "../core/manual-scheduler.js";
import { HistoricalPacingRules } from "../gateway-sim/market-data/historical-pacing-rules.js";
import { HistoricalPacer, type HistoryPriority } from "./historical-pacer.js";
import { historicalIdentityKey, historicalSeriesKey, type HistoricalRequest } from "./historical-request.js";
import { IB_HISTORICAL_PACING_LIMITS } from "./pacing-limits.js";

type Failure = "none" | "pacing" | "disconnect" | "timeout";

interface Arrival {
  readonly atMs: number;
  readonly contract: number;
  /** Few distinct ends, so identical repeats are common. */
  readonly endIndex: number;
  readonly bidAsk: boolean;
  readonly latencyMs: number;
  readonly failsOnce: Failure;
  readonly priority: HistoryPriority;
}

const arrivalArbitrary = fc.record({
  atMs: fc.integer({ min: 0, max: 120_000 }),
  contract: fc.integer({ min: 0, max: 5 }),
  endIndex: fc.integer({ min: 0, max: 4 }),
  bidAsk: fc.boolean(),
  latencyMs: fc.integer({ min: 0, max: 3_000 }),
  failsOnce: fc.constantFrom<Failure>("none", "none", "none", "none", "pacing", "disconnect", "timeout"),
  priority: fc.constantFrom<HistoryPriority>("live", "warmup", "backfill"),
});

const scenarioArbitrary = fc.record({
  contracts: fc.integer({ min: 1, max: 6 }),
  arrivals: fc.array(arrivalArbitrary, { minLength: 1, maxLength: 90, size: "max" }),
  safetyMarginMs: fc.integer({ min: 0, max: 1_500 }),
  maxRequestsPerSecond: fc.integer({ min: 1, max: 50 }),
  maxOpenRequests: fc.integer({ min: 1, max: 50 }),
});

interface Send {
  readonly atMs: number;
  readonly request: HistoricalRequest;
}

function requestOf(arrival: Arrival, contracts: number): HistoricalRequest {
  const conId = 1_000 + (arrival.contract % contracts);
  return {
    symbol: `S${conId}`,
    conId,
    exchange: "SMART",
    barSizeSetting: "1 min",
    barSeconds: 60,
    durationStr: "23400 S",
    startMs: 0,
    endMs: arrival.endIndex * 86_400_000,
    whatToShow: arrival.bidAsk ? "BID_ASK" : "TRADES",
    useRth: true,
  };
}

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Sum of `weight` over the sends at or before send `index` that are less than `windowMs` older than it. */
function windowLoad(
  sends: readonly Send[],
  index: number,
  windowMs: number,
  weight: (send: Send) => number,
): number {
  const nowMs = sends[index]!.atMs;
  let load = 0;
  for (let j = 0; j <= index; j++) if (nowMs - sends[j]!.atMs < windowMs) load += weight(sends[j]!);
  return load;
}

describe("HistoricalPacer properties", () => {
  it("never breaks a pacing rule, satisfies the simulator's rules, and settles every request exactly once", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const { contracts, arrivals, safetyMarginMs, maxRequestsPerSecond, maxOpenRequests } = scenario;
        const scheduler = new ManualScheduler(0);
        const pacer = new HistoricalPacer({
          scheduler,
          safetyMarginMs,
          maxRequestsPerSecond,
          limits: { maxOpenRequests },
        });
        const oracle = new HistoricalPacingRules({ applyToAllBarSizes: true, maxOpenRequests });
        const refusals: string[] = [];
        const sends: Send[] = [];
        const attempts = new Map<number, number>();
        let open = 0;
        let maxOpenSeen = 0;
        const settledCount = new Array<number>(arrivals.length).fill(0);
        const resolvedWith = new Array<unknown>(arrivals.length);

        const run = (index: number, arrival: Arrival) => (request: HistoricalRequest) => {
          const atMs = scheduler.nowMs();
          sends.push({ atMs, request });
          open += 1;
          maxOpenSeen = Math.max(maxOpenSeen, open);
          const decision = oracle.admit(
            {
              identityKey: historicalIdentityKey(request),
              seriesKey: historicalSeriesKey(request),
              barSeconds: request.barSeconds,
              whatToShow: request.whatToShow,
            },
            atMs,
          );
          if (!decision.admitted) refusals.push(`${decision.rule} at ${atMs}`);
          const attempt = (attempts.get(index) ?? 0) + 1;
          attempts.set(index, attempt);
          return new Promise<number>((resolve, reject) => {
            scheduler.setTimer(arrival.latencyMs, () => {
              open -= 1;
              if (decision.admitted) decision.release();
              if (attempt > 1 || arrival.failsOnce === "none") resolve(index);
              else if (arrival.failsOnce === "pacing") reject(new PacingViolationError("pacing violation"));
              else if (arrival.failsOnce === "timeout")
                reject(new GatewayError("GATEWAY_TIMEOUT", "timed out"));
              else {
                reject(new GatewayError("GATEWAY_DISCONNECTED", "connection lost"));
                // The connection comes back five seconds later.
                scheduler.setTimer(5_000, () => {
                  pacer.resume();
                });
              }
            });
          });
        };

        arrivals.forEach((arrival, index) => {
          scheduler.setTimer(arrival.atMs, () => {
            pacer.submit(requestOf(arrival, contracts), arrival.priority, run(index, arrival)).then(
              (value) => {
                settledCount[index] = (settledCount[index] ?? 0) + 1;
                resolvedWith[index] = value;
              },
              () => {
                settledCount[index] = (settledCount[index] ?? 0) + 1;
              },
            );
          });
        });

        for (let steps = 0; steps < 100_000; steps++) {
          await flush();
          const dueMs = scheduler.nextDueMs();
          if (dueMs === undefined) break;
          scheduler.advanceTo(dueMs);
        }
        await flush();

        // (a) An independent sliding-window check of every send, over windows widened by the margin.
        const limits = IB_HISTORICAL_PACING_LIMITS;
        const weightOf = (send: Send): number =>
          send.request.whatToShow === "BID_ASK" ? limits.bidAskWeight : 1;
        sends.forEach((send, index) => {
          const identity = historicalIdentityKey(send.request);
          const series = historicalSeriesKey(send.request);
          const identical = windowLoad(
            sends,
            index,
            limits.identicalRequestWindowMs + safetyMarginMs,
            (other) => (historicalIdentityKey(other.request) === identity ? 1 : 0),
          );
          expect(identical).toBe(1);
          const sameSeries = windowLoad(sends, index, limits.sameSeriesWindowMs + safetyMarginMs, (other) =>
            historicalSeriesKey(other.request) === series ? weightOf(other) : 0,
          );
          expect(sameSeries).toBeLessThanOrEqual(limits.maxSameSeriesRequests);
          const long = windowLoad(sends, index, limits.longWindowMs + safetyMarginMs, weightOf);
          expect(long).toBeLessThanOrEqual(limits.maxRequestsPerLongWindow);
          const perSecond = windowLoad(sends, index, 1_000 + safetyMarginMs, () => 1);
          expect(perSecond).toBeLessThanOrEqual(maxRequestsPerSecond);
        });
        expect(maxOpenSeen).toBeLessThanOrEqual(maxOpenRequests);
        // (b) The simulator's model of IB admitted every send.
        expect(refusals).toEqual([]);
        // (c) Every caller settled exactly once, and, since every failure happens once, with its value.
        expect(settledCount).toEqual(arrivals.map(() => 1));
        expect(resolvedWith).toEqual(arrivals.map((_arrival, index) => index));
        expect(pacer.stats).toMatchObject({ queued: 0, open: 0, completed: arrivals.length, failed: 0 });
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});
