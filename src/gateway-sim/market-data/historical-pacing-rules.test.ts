import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, InvariantError } from "../../core/errors.js";
import {
  HistoricalPacingRules,
  IB_HISTORICAL_PACING,
  type PacedHistoricalRequest,
  type PacingDecision,
} from "./historical-pacing-rules.js";

const T0 = 1_700_000_000_000;

/** A 5-second-bar request; `variant` makes otherwise equal requests non-identical. */
function aRequest(
  overrides: Partial<PacedHistoricalRequest> & { variant?: number } = {},
): PacedHistoricalRequest {
  const { variant = 0, ...rest } = overrides;
  const seriesKey = rest.seriesKey ?? "265598|SMART|TRADES";
  return {
    identityKey: `${seriesKey}|60 S|${variant}`,
    seriesKey,
    barSeconds: 5,
    whatToShow: "TRADES",
    ...rest,
  };
}

/** The rule that refused a request, or "admitted" — then the request is released at once, as a one-off is. */
function ruleOf(decision: PacingDecision): string {
  if (!decision.admitted) return decision.rule;
  decision.release();
  return "admitted";
}

/** Distinct series so that only the ten-minute rule can bite. */
function seriesNumber(index: number): string {
  return `${1000 + index}|SMART|TRADES`;
}

describe("HistoricalPacingRules: identical requests within 15 s", () => {
  it("refuses an identical request 14,999 ms after the first", () => {
    const rules = new HistoricalPacingRules();
    expect(ruleOf(rules.admit(aRequest(), T0))).toBe("admitted");
    expect(ruleOf(rules.admit(aRequest(), T0 + 14_999))).toBe("identical-request");
  });

  it("admits an identical request exactly 15,000 ms after the first", () => {
    const rules = new HistoricalPacingRules();
    rules.admit(aRequest(), T0);
    expect(ruleOf(rules.admit(aRequest(), T0 + 15_000))).toBe("admitted");
  });

  it("admits a request differing in any parameter at the same instant", () => {
    const rules = new HistoricalPacingRules();
    rules.admit(aRequest(), T0);
    expect(ruleOf(rules.admit(aRequest({ variant: 1 }), T0))).toBe("admitted");
  });
});

describe("HistoricalPacingRules: six requests for one contract, exchange and whatToShow within 2 s", () => {
  it("admits the fifth and refuses the sixth within 2 s", () => {
    const rules = new HistoricalPacingRules();
    for (let i = 0; i < 5; i++)
      expect(ruleOf(rules.admit(aRequest({ variant: i }), T0 + i))).toBe("admitted");
    expect(ruleOf(rules.admit(aRequest({ variant: 5 }), T0 + 1_999))).toBe("same-series-burst");
  });

  it("admits the sixth once the first is exactly 2,000 ms old", () => {
    const rules = new HistoricalPacingRules();
    for (let i = 0; i < 5; i++) rules.admit(aRequest({ variant: i }), T0 + i);
    expect(ruleOf(rules.admit(aRequest({ variant: 5 }), T0 + 2_000))).toBe("admitted");
  });

  it("counts other series separately", () => {
    const rules = new HistoricalPacingRules();
    for (let i = 0; i < 5; i++) rules.admit(aRequest({ variant: i }), T0);
    expect(ruleOf(rules.admit(aRequest({ seriesKey: "265598|SMART|BID" }), T0))).toBe("admitted");
    expect(ruleOf(rules.admit(aRequest({ seriesKey: "272093|SMART|TRADES" }), T0))).toBe("admitted");
  });

  it("counts a BID_ASK request twice", () => {
    const rules = new HistoricalPacingRules();
    const bidAsk = (variant: number): PacedHistoricalRequest =>
      aRequest({ variant, seriesKey: "265598|SMART|BID_ASK", whatToShow: "BID_ASK" });
    expect(ruleOf(rules.admit(bidAsk(0), T0))).toBe("admitted");
    expect(ruleOf(rules.admit(bidAsk(1), T0))).toBe("admitted");
    expect(ruleOf(rules.admit(bidAsk(2), T0))).toBe("same-series-burst");
  });
});

describe("HistoricalPacingRules: more than 60 requests in ten minutes", () => {
  function sixtyRequests(rules: HistoricalPacingRules, count = 60): void {
    for (let i = 0; i < count; i++) {
      expect(ruleOf(rules.admit(aRequest({ seriesKey: seriesNumber(i) }), T0 + i * 1_000))).toBe("admitted");
    }
  }

  it("admits the 60th and refuses the 61st inside the window", () => {
    const rules = new HistoricalPacingRules();
    sixtyRequests(rules);
    expect(ruleOf(rules.admit(aRequest({ seriesKey: seriesNumber(60) }), T0 + 599_999))).toBe("long-window");
  });

  it("admits the 61st once the first is exactly ten minutes old", () => {
    const rules = new HistoricalPacingRules();
    sixtyRequests(rules);
    expect(ruleOf(rules.admit(aRequest({ seriesKey: seriesNumber(60) }), T0 + 600_000))).toBe("admitted");
  });

  it("counts a BID_ASK request twice", () => {
    const bidAsk = aRequest({ seriesKey: "265598|SMART|BID_ASK", whatToShow: "BID_ASK" });
    const atLimit = new HistoricalPacingRules();
    sixtyRequests(atLimit, 58);
    expect(ruleOf(atLimit.admit(bidAsk, T0 + 100_000))).toBe("admitted");
    const overLimit = new HistoricalPacingRules();
    sixtyRequests(overLimit, 59);
    expect(ruleOf(overLimit.admit(bidAsk, T0 + 100_000))).toBe("long-window");
  });
});

describe("HistoricalPacingRules: open requests", () => {
  it("refuses the 51st open request of any bar size and admits one after a release", () => {
    const rules = new HistoricalPacingRules();
    const releases: (() => void)[] = [];
    for (let i = 0; i < 50; i++) {
      const decision = rules.admit(aRequest({ barSeconds: 60, variant: i }), T0);
      if (!decision.admitted) throw new Error(`request ${i} refused`);
      releases.push(decision.release);
    }
    expect(ruleOf(rules.admit(aRequest({ barSeconds: 60, variant: 50 }), T0))).toBe("open-requests");
    releases[0]?.();
    releases[0]?.();
    expect(rules.openRequests).toBe(49);
    expect(ruleOf(rules.admit(aRequest({ barSeconds: 60, variant: 50 }), T0))).toBe("admitted");
  });
});

describe("HistoricalPacingRules: bar sizes", () => {
  it("applies the rate rules to 30-second bars", () => {
    const rules = new HistoricalPacingRules();
    rules.admit(aRequest({ barSeconds: 30 }), T0);
    expect(ruleOf(rules.admit(aRequest({ barSeconds: 30 }), T0 + 1))).toBe("identical-request");
  });

  it("does not apply them to one-minute bars", () => {
    const rules = new HistoricalPacingRules();
    for (let i = 0; i < 70; i++)
      expect(ruleOf(rules.admit(aRequest({ barSeconds: 60 }), T0))).toBe("admitted");
  });

  it("applies them to every bar size when configured", () => {
    const rules = new HistoricalPacingRules({ applyToAllBarSizes: true });
    rules.admit(aRequest({ barSeconds: 86_400 }), T0);
    expect(ruleOf(rules.admit(aRequest({ barSeconds: 86_400 }), T0 + 1))).toBe("identical-request");
  });
});

describe("HistoricalPacingRules: fault injection", () => {
  it("refuses exactly the next N requests and does not count them", () => {
    const rules = new HistoricalPacingRules();
    rules.forcePacingViolations(2);
    expect(ruleOf(rules.admit(aRequest(), T0))).toBe("forced");
    expect(ruleOf(rules.admit(aRequest(), T0))).toBe("forced");
    expect(ruleOf(rules.admit(aRequest(), T0))).toBe("admitted");
  });

  it("refuses a negative or fractional count", () => {
    expect(() => {
      new HistoricalPacingRules().forcePacingViolations(-1);
    }).toThrow(InvariantError);
    expect(() => {
      new HistoricalPacingRules().forcePacingViolations(1.5);
    }).toThrow(InvariantError);
  });
});

describe("HistoricalPacingRules settings", () => {
  it("defaults to IB's limits", () => {
    expect(new HistoricalPacingRules().settings).toEqual(IB_HISTORICAL_PACING);
  });

  it("refuses a negative limit", () => {
    expect(() => new HistoricalPacingRules({ maxOpenRequests: -1 })).toThrow(ConfigError);
  });
});

describe("HistoricalPacingRules property", () => {
  interface Step {
    readonly advanceMs: number;
    readonly series: number;
    readonly variant: number;
    readonly bidAsk: boolean;
  }

  const step: fc.Arbitrary<Step> = fc.record({
    advanceMs: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 3_000 }),
      fc.integer({ min: 0, max: 40_000 }),
    ),
    series: fc.integer({ min: 0, max: 3 }),
    variant: fc.integer({ min: 0, max: 3 }),
    bidAsk: fc.boolean(),
  });

  it("never admits requests that break an IB limit in any window", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 300 }), (steps) => {
        const rules = new HistoricalPacingRules();
        const admitted: { timeMs: number; request: PacedHistoricalRequest; weight: number }[] = [];
        let timeMs = T0;
        for (const { advanceMs, series, variant, bidAsk } of steps) {
          timeMs += advanceMs;
          const whatToShow = bidAsk ? "BID_ASK" : "TRADES";
          const request = aRequest({ seriesKey: `${series}|SMART|${whatToShow}`, whatToShow, variant });
          const decision = rules.admit(request, timeMs);
          if (decision.admitted) {
            decision.release();
            admitted.push({ timeMs, request, weight: bidAsk ? 2 : 1 });
          }
        }
        for (const [index, { timeMs: at, request }] of admitted.entries()) {
          const earlier = admitted.slice(0, index + 1);
          const inWindow = (windowMs: number) => earlier.filter((entry) => at - entry.timeMs < windowMs);
          const weightOf = (entries: typeof admitted) =>
            entries.reduce((sum, entry) => sum + entry.weight, 0);
          expect(
            inWindow(15_000).filter((entry) => entry.request.identityKey === request.identityKey).length,
          ).toBe(1);
          expect(
            weightOf(inWindow(2_000).filter((entry) => entry.request.seriesKey === request.seriesKey)),
          ).toBeLessThanOrEqual(5);
          expect(weightOf(inWindow(600_000))).toBeLessThanOrEqual(60);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
