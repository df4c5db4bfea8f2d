import { describe, expect, it } from "vitest";
import { ConfigError, GatewayError, PacingViolationError } from "../core/errors.js";
import { ManualScheduler } from "../core/manual-scheduler.js";
import { HistoricalPacer, type HistoricalPacerOptions, type HistoryPriority } from "./historical-pacer.js";
import type { HistoricalRequest } from "./historical-request.js";

/** A one-minute-bar request; `conId` picks the series and `endMs` tells requests of one series apart. */
function aRequest(overrides: Partial<HistoricalRequest> = {}): HistoricalRequest {
  return {
    symbol: "AAPL",
    conId: 265598,
    exchange: "SMART",
    barSizeSetting: "1 min",
    barSeconds: 60,
    durationStr: "23400 S",
    startMs: 0,
    endMs: 23_400_000,
    whatToShow: "TRADES",
    useRth: true,
    ...overrides,
  };
}

/** Lets every pending promise callback run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Moves virtual time to `targetMs` one timer instant at a time, letting promise callbacks run at each. */
async function advanceTo(scheduler: ManualScheduler, targetMs: number): Promise<void> {
  await flush();
  for (;;) {
    const dueMs = scheduler.nextDueMs();
    if (dueMs === undefined || dueMs > targetMs) break;
    scheduler.advanceTo(dueMs);
    await flush();
  }
  scheduler.advanceTo(targetMs);
  await flush();
}

type Script = (request: HistoricalRequest, attempt: number) => Error | undefined;

/** A fake IB: records each send and answers after `latencyMs`, failing where `script` says. */
class FakeHistory {
  readonly sends: { readonly atMs: number; readonly request: HistoricalRequest }[] = [];
  private readonly attempts = new Map<HistoricalRequest, number>();

  constructor(
    private readonly scheduler: ManualScheduler,
    private readonly latencyMs = 100,
    private readonly script: Script = () => undefined,
  ) {}

  readonly run = (request: HistoricalRequest): Promise<string> => {
    const attempt = (this.attempts.get(request) ?? 0) + 1;
    this.attempts.set(request, attempt);
    this.sends.push({ atMs: this.scheduler.nowMs(), request });
    const failure = this.script(request, attempt);
    return new Promise((resolve, reject) => {
      this.scheduler.setTimer(this.latencyMs, () => {
        if (failure === undefined) resolve(`${request.conId}@${request.endMs}`);
        else reject(failure);
      });
    });
  };

  get sendTimes(): number[] {
    return this.sends.map((send) => send.atMs);
  }
}

function setUp(options: Omit<HistoricalPacerOptions, "scheduler"> = {}, latencyMs = 100, script?: Script) {
  const scheduler = new ManualScheduler(0);
  const pacer = new HistoricalPacer({ scheduler, ...options });
  const history = new FakeHistory(scheduler, latencyMs, script);
  const submit = (request: HistoricalRequest, priority: HistoryPriority = "backfill"): Promise<string> =>
    pacer.submit(request, priority, history.run);
  return { scheduler, pacer, history, submit };
}

/** Submits `request` at `atMs` of virtual time. */
function submitAt(scheduler: ManualScheduler, atMs: number, submit: () => Promise<string>): void {
  scheduler.setTimer(atMs - scheduler.nowMs(), () => {
    void submit();
  });
}

const disconnected = (): GatewayError => new GatewayError("GATEWAY_DISCONNECTED", "connection lost");
const timedOut = (): GatewayError => new GatewayError("GATEWAY_TIMEOUT", "no answer in time");

describe("HistoricalPacer: identical requests", () => {
  it("sends an identical request exactly 15 s plus the margin after the first", async () => {
    const { scheduler, history, submit } = setUp();
    void submit(aRequest());
    void submit(aRequest());
    await advanceTo(scheduler, 15_999);
    expect(history.sendTimes).toEqual([0]);
    await advanceTo(scheduler, 16_000);
    expect(history.sendTimes).toEqual([0, 16_000]);
  });

  it("sends an identical request exactly 15 s after the first with no margin", async () => {
    const { scheduler, history, submit } = setUp({ safetyMarginMs: 0 });
    void submit(aRequest());
    void submit(aRequest());
    await advanceTo(scheduler, 60_000);
    expect(history.sendTimes).toEqual([0, 15_000]);
  });
});

describe("HistoricalPacer: six requests of one series within 2 s", () => {
  it("sends five requests of one series at once and the sixth 2 s plus the margin later", async () => {
    const { scheduler, history, submit } = setUp();
    for (let day = 0; day < 6; day++) void submit(aRequest({ endMs: day * 86_400_000 }));
    await advanceTo(scheduler, 60_000);
    expect(history.sendTimes).toEqual([0, 0, 0, 0, 0, 3_000]);
  });

  it("counts a BID_ASK request twice in its series", async () => {
    const { scheduler, history, submit } = setUp();
    for (let day = 0; day < 3; day++) void submit(aRequest({ endMs: day, whatToShow: "BID_ASK" }));
    await advanceTo(scheduler, 60_000);
    expect(history.sendTimes).toEqual([0, 0, 3_000]);
  });
});

describe("HistoricalPacer: 60 requests in ten minutes", () => {
  it("sends the 61st request exactly 600,000 ms plus the margin after the first", async () => {
    const { scheduler, history, submit } = setUp();
    for (let i = 0; i <= 61; i++) submitAt(scheduler, i * 1_000, () => submit(aRequest({ conId: i })));
    await advanceTo(scheduler, 600_999);
    expect(history.sends).toHaveLength(60);
    await advanceTo(scheduler, 601_000);
    expect(history.sendTimes.slice(60)).toEqual([601_000]);
    await advanceTo(scheduler, 700_000);
    expect(history.sendTimes.slice(60)).toEqual([601_000, 602_000]);
  });

  it("counts a BID_ASK request twice in the long window", async () => {
    const { scheduler, history, submit } = setUp();
    for (let i = 0; i < 30; i++) {
      submitAt(scheduler, i * 1_000, () => submit(aRequest({ conId: i, whatToShow: "BID_ASK" })));
    }
    submitAt(scheduler, 30_000, () => submit(aRequest({ conId: 99 })));
    await advanceTo(scheduler, 700_000);
    expect(history.sendTimes.at(-1)).toBe(601_000);
  });

  it("holds a BID_ASK request until two units are free, and holds later requests behind it", async () => {
    const { scheduler, history, submit } = setUp();
    for (let i = 0; i < 59; i++) submitAt(scheduler, i * 1_000, () => submit(aRequest({ conId: i })));
    submitAt(scheduler, 59_000, () => submit(aRequest({ conId: 100, whatToShow: "BID_ASK" })));
    submitAt(scheduler, 59_000, () => submit(aRequest({ conId: 101 })));
    await advanceTo(scheduler, 700_000);
    expect(history.sends.slice(59).map((send) => [send.request.conId, send.atMs])).toEqual([
      [100, 601_000],
      [101, 602_000],
    ]);
  });
});

describe("HistoricalPacer: requests that wait in the send queue", () => {
  it("counts a request in the windows from when it left, not from when it was handed over", async () => {
    const scheduler = new ManualScheduler(0);
    const pacer = new HistoricalPacer({ scheduler });
    const sentAt: number[] = [];
    // Each request leaves 90 s after it is handed over (a deep send queue after a reconnect at x20).
    const run = (request: HistoricalRequest, sent: () => void): Promise<string> =>
      new Promise((resolve) => {
        sentAt.push(scheduler.nowMs());
        scheduler.setTimer(90_000, () => {
          sent();
          resolve(String(request.conId));
        });
      });
    for (let i = 0; i < 61; i++) void pacer.submit(aRequest({ conId: i }), "backfill", run);
    await advanceTo(scheduler, 690_999);
    expect(sentAt).toHaveLength(60);
    await advanceTo(scheduler, 691_000);
    // 600 s + the margin after the first one arrived (at 90 s), not after it was handed over (at 0).
    expect(sentAt.slice(60)).toEqual([691_000]);
  });

  it("holds an identical request 15 s plus the margin after the first one left", async () => {
    const scheduler = new ManualScheduler(0);
    const pacer = new HistoricalPacer({ scheduler });
    const handedAt: number[] = [];
    let first = true;
    const run = (_request: HistoricalRequest, sent: () => void): Promise<string> =>
      new Promise((resolve) => {
        handedAt.push(scheduler.nowMs());
        const delayMs = first ? 10_000 : 0;
        first = false;
        scheduler.setTimer(delayMs, () => {
          sent();
          resolve("done");
        });
      });
    void pacer.submit(aRequest(), "backfill", run);
    void pacer.submit(aRequest(), "backfill", run);
    await advanceTo(scheduler, 60_000);
    expect(handedAt).toEqual([0, 26_000]);
  });
});

describe("HistoricalPacer: open requests", () => {
  it("keeps 50 requests open at most and sends the next one the instant one settles", async () => {
    const { scheduler, pacer, history, submit } = setUp(
      { safetyMarginMs: 0, maxRequestsPerSecond: 50 },
      5_000,
    );
    for (let i = 0; i < 51; i++) void submit(aRequest({ conId: i }));
    await advanceTo(scheduler, 4_999);
    expect(pacer.stats.open).toBe(50);
    expect(history.sends).toHaveLength(50);
    await advanceTo(scheduler, 5_000);
    expect(history.sendTimes.slice(50)).toEqual([5_000]);
  });
});

describe("HistoricalPacer: message rate", () => {
  it("sends at most maxRequestsPerSecond in any second when there is no margin", async () => {
    const { scheduler, history, submit } = setUp({ safetyMarginMs: 0, maxRequestsPerSecond: 3 });
    for (let i = 0; i < 4; i++) void submit(aRequest({ conId: i }));
    await advanceTo(scheduler, 60_000);
    expect(history.sendTimes).toEqual([0, 0, 0, 1_000]);
  });

  it("widens the one-second window by the safety margin", async () => {
    const { scheduler, history, submit } = setUp({ maxRequestsPerSecond: 3 });
    for (let i = 0; i < 4; i++) void submit(aRequest({ conId: i }));
    await advanceTo(scheduler, 60_000);
    expect(history.sendTimes).toEqual([0, 0, 0, 2_000]);
  });

  it("refuses a maxRequestsPerSecond above IB's 50", () => {
    expect(() => new HistoricalPacer({ scheduler: new ManualScheduler(), maxRequestsPerSecond: 51 })).toThrow(
      ConfigError,
    );
  });
});

describe("HistoricalPacer: order", () => {
  it("sends live before warm-up before backfill, first come first served within a class", async () => {
    const { scheduler, history, submit } = setUp({ safetyMarginMs: 0, maxRequestsPerSecond: 1 });
    void submit(aRequest({ conId: 1 }), "backfill");
    void submit(aRequest({ conId: 2 }), "backfill");
    void submit(aRequest({ conId: 3 }), "warmup");
    void submit(aRequest({ conId: 4 }), "live");
    void submit(aRequest({ conId: 5 }), "warmup");
    await advanceTo(scheduler, 60_000);
    expect(history.sends.map((send) => [send.request.conId, send.atMs])).toEqual([
      [1, 0],
      [4, 1_000],
      [3, 2_000],
      [5, 3_000],
      [2, 4_000],
    ]);
  });

  it("sends a later request of another series while the first waits for its own series", async () => {
    const { scheduler, history, submit } = setUp();
    for (let day = 0; day < 6; day++) void submit(aRequest({ endMs: day }), "live");
    void submit(aRequest({ conId: 7 }), "backfill");
    await advanceTo(scheduler, 60_000);
    expect(history.sends.map((send) => [send.request.conId, send.atMs]).slice(5)).toEqual([
      [7, 0],
      [265598, 3_000],
    ]);
  });

  it("sends a later request while the first waits out the identical-request rule", async () => {
    const { scheduler, history, submit } = setUp();
    void submit(aRequest());
    void submit(aRequest());
    void submit(aRequest({ conId: 7 }));
    await advanceTo(scheduler, 60_000);
    expect(history.sends.map((send) => [send.request.conId, send.atMs])).toEqual([
      [265598, 0],
      [7, 0],
      [265598, 16_000],
    ]);
  });

  it("keeps one timer armed, for the exact instant the next request becomes allowed", async () => {
    const { scheduler, submit } = setUp();
    for (let i = 0; i < 60; i++) submitAt(scheduler, i * 1_000, () => submit(aRequest({ conId: i })));
    submitAt(scheduler, 60_000, () => submit(aRequest({ conId: 60 })));
    await advanceTo(scheduler, 70_000);
    expect(scheduler.pendingTimers).toBe(1);
    expect(scheduler.nextDueMs()).toBe(601_000);
  });

  it("finishes 210 requests over 10 contracts at 3 × (600 s + margin), within 10% of IB's minimum", async () => {
    const { scheduler, history, submit } = setUp();
    const results: Promise<string>[] = [];
    for (let day = 0; day < 21; day++) {
      for (let contract = 0; contract < 10; contract++) {
        results.push(submit(aRequest({ conId: contract, endMs: day * 86_400_000 })));
      }
    }
    await advanceTo(scheduler, 2_000_000);
    await Promise.all(results);
    expect(history.sends).toHaveLength(210);
    expect(history.sendTimes.at(-1)).toBe(3 * 601_000);
    expect(history.sendTimes.at(-1)).toBeLessThanOrEqual(1.1 * 3 * 600_000);
  });
});

describe("HistoricalPacer: pacing violations (162)", () => {
  it("retries a refused request after the backoff and the identical-request window and resolves its caller", async () => {
    const { scheduler, pacer, history, submit } = setUp({}, 100, (_request, attempt) =>
      attempt === 1 ? new PacingViolationError("pacing violation") : undefined,
    );
    const result = submit(aRequest());
    await advanceTo(scheduler, 60_000);
    await expect(result).resolves.toBe("265598@23400000");
    expect(history.sendTimes).toEqual([0, 16_000]);
    expect(pacer.stats).toMatchObject({ sent: 2, completed: 1, failed: 0, pacingViolations: 1 });
  });

  it("doubles the backoff on each refusal up to its maximum", async () => {
    const { scheduler, history, submit } = setUp(
      { pacingBackoffMs: { initial: 15_000, max: 20_000 } },
      100,
      (_r, attempt) => (attempt <= 3 ? new PacingViolationError("pacing violation") : undefined),
    );
    const result = submit(aRequest());
    await advanceTo(scheduler, 120_000);
    await expect(result).resolves.toBeDefined();
    // Refused at 100, 16,100 and 36,200: waits of 15 s (then the identical rule's 16 s), 20 s, 20 s.
    expect(history.sendTimes).toEqual([0, 16_000, 36_100, 56_200]);
  });

  it("lets other requests through while a refused one backs off", async () => {
    const { scheduler, history, submit } = setUp({}, 100, (request, attempt) =>
      request.conId === 1 && attempt === 1 ? new PacingViolationError("pacing violation") : undefined,
    );
    void submit(aRequest({ conId: 1 }));
    submitAt(scheduler, 5_000, () => submit(aRequest({ conId: 2 })));
    await advanceTo(scheduler, 60_000);
    expect(history.sends.map((send) => [send.request.conId, send.atMs])).toEqual([
      [1, 0],
      [2, 5_000],
      [1, 16_000],
    ]);
  });

  it("retries a refused request ahead of the requests queued behind it", async () => {
    const { scheduler, history, submit } = setUp(
      {
        safetyMarginMs: 0,
        maxRequestsPerSecond: 1,
        limits: { identicalRequestWindowMs: 1 },
        pacingBackoffMs: { initial: 1, max: 1 },
      },
      100,
      (request, attempt) =>
        request.conId === 1 && attempt === 1 ? new PacingViolationError("pacing") : undefined,
    );
    for (let conId = 1; conId <= 3; conId++) void submit(aRequest({ conId }));
    await advanceTo(scheduler, 60_000);
    expect(history.sends.map((send) => [send.request.conId, send.atMs])).toEqual([
      [1, 0],
      [1, 1_000],
      [2, 2_000],
      [3, 3_000],
    ]);
  });
});

describe("HistoricalPacer: dropped connection", () => {
  it("re-queues a request whose connection dropped, pauses, and sends it first after resume", async () => {
    const { scheduler, pacer, history, submit } = setUp(
      { limits: { identicalRequestWindowMs: 1_000 } },
      100,
      (request, attempt) => (request.conId === 1 && attempt === 1 ? disconnected() : undefined),
    );
    const first = submit(aRequest({ conId: 1 }));
    submitAt(scheduler, 500, () => submit(aRequest({ conId: 2 })));
    await advanceTo(scheduler, 4_999);
    expect(history.sendTimes).toEqual([0]);
    expect(pacer.stats).toMatchObject({ paused: true, queued: 2, disconnectRetries: 1 });
    pacer.resume();
    await advanceTo(scheduler, 10_000);
    expect(history.sends.map((send) => [send.request.conId, send.atMs])).toEqual([
      [1, 0],
      [1, 4_999],
      [2, 4_999],
    ]);
    await expect(first).resolves.toBe("1@23400000");
  });

  it("does not count dropped connections against the timeout retries", async () => {
    const { scheduler, pacer, submit } = setUp({ maxTimeoutRetries: 0 }, 100, (_request, attempt) =>
      attempt <= 3 ? disconnected() : undefined,
    );
    const result = submit(aRequest());
    for (let resumeAtMs = 20_000; resumeAtMs <= 80_000; resumeAtMs += 20_000) {
      await advanceTo(scheduler, resumeAtMs);
      pacer.resume();
    }
    await advanceTo(scheduler, 100_000);
    await expect(result).resolves.toBeDefined();
    expect(pacer.stats).toMatchObject({ disconnectRetries: 3, timeoutRetries: 0, completed: 1 });
  });

  it("lets open requests settle while paused and sends nothing new", async () => {
    const { scheduler, pacer, history, submit } = setUp({}, 1_000);
    const open = submit(aRequest({ conId: 1 }));
    pacer.pause();
    void submit(aRequest({ conId: 2 }));
    await advanceTo(scheduler, 10_000);
    await expect(open).resolves.toBe("1@23400000");
    expect(history.sends).toHaveLength(1);
    expect(pacer.stats).toMatchObject({ queued: 1, open: 0 });
  });

  it("stays running when a request sent before the last resume reports the old disconnect", async () => {
    const { scheduler, pacer, submit } = setUp({}, 100, (_request, attempt) =>
      attempt === 1 ? disconnected() : undefined,
    );
    void submit(aRequest({ conId: 1 }));
    await advanceTo(scheduler, 50);
    pacer.pause();
    pacer.resume();
    await advanceTo(scheduler, 200);
    expect(pacer.stats.paused).toBe(false);
  });
});

describe("HistoricalPacer: timeouts and other errors", () => {
  it("retries a timed-out request twice, then rejects its caller with the timeout", async () => {
    const { scheduler, pacer, history, submit } = setUp({}, 100, () => timedOut());
    const result = submit(aRequest());
    const settled = expect(result).rejects.toMatchObject({ code: "GATEWAY_TIMEOUT" });
    await advanceTo(scheduler, 60_000);
    await settled;
    expect(history.sendTimes).toEqual([0, 16_000, 32_000]);
    expect(pacer.stats).toMatchObject({ timeoutRetries: 2, failed: 1, queued: 0, open: 0 });
  });

  it("resolves a caller whose timed-out request succeeds on retry", async () => {
    const { scheduler, submit } = setUp({}, 100, (_request, attempt) =>
      attempt === 1 ? timedOut() : undefined,
    );
    const result = submit(aRequest());
    await advanceTo(scheduler, 60_000);
    await expect(result).resolves.toBe("265598@23400000");
  });

  it("rejects its caller at once on any other error", async () => {
    const refusal = new GatewayError("IB_REQUEST_REJECTED", "no market data permissions", { ibCode: 162 });
    const { scheduler, pacer, history, submit } = setUp({}, 100, () => refusal);
    const result = submit(aRequest());
    const settled = expect(result).rejects.toBe(refusal);
    await advanceTo(scheduler, 60_000);
    await settled;
    expect(history.sends).toHaveLength(1);
    expect(pacer.stats).toMatchObject({ failed: 1, sent: 1 });
  });
});

describe("HistoricalPacer: close", () => {
  it("rejects queued requests and later submits with the reason while open ones still settle", async () => {
    const { scheduler, pacer, submit } = setUp({ maxRequestsPerSecond: 1 }, 500);
    const open = submit(aRequest({ conId: 1 }));
    const queued = submit(aRequest({ conId: 2 }));
    const reason = new Error("shutting down");
    pacer.close(reason);
    await expect(queued).rejects.toBe(reason);
    await expect(submit(aRequest({ conId: 3 }))).rejects.toBe(reason);
    await advanceTo(scheduler, 1_000);
    await expect(open).resolves.toBe("1@23400000");
    expect(pacer.stats).toMatchObject({ completed: 1, failed: 1, queued: 0, open: 0 });
    expect(scheduler.pendingTimers).toBe(0);
  });

  it("rejects an open request with the reason instead of retrying it after close", async () => {
    const { scheduler, pacer, submit } = setUp({}, 100, () => new PacingViolationError("pacing violation"));
    const open = submit(aRequest());
    const reason = new Error("shutting down");
    pacer.close(reason);
    const settled = expect(open).rejects.toBe(reason);
    await advanceTo(scheduler, 1_000);
    await settled;
  });
});
