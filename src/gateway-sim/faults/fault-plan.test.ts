import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { DEFAULT_RESTART_DOWN_FOR_MS, isEmptyFaultPlan, resolveFaultPlan } from "./fault-plan.js";

describe("resolveFaultPlan", () => {
  it("injects nothing by default", () => {
    const plan = resolveFaultPlan();
    expect(plan).toEqual({
      restartEveryMs: undefined,
      restartDownForMs: DEFAULT_RESTART_DOWN_FOR_MS,
      restartRollBackOrderIdsBy: 0,
      latencyMs: 0,
      pacingViolations: 0,
    });
    expect(isEmptyFaultPlan(plan)).toBe(true);
  });

  it("keeps a complete plan as given", () => {
    const plan = resolveFaultPlan({
      restartEveryMs: 60_000,
      restartDownForMs: 5_000,
      restartRollBackOrderIdsBy: 3,
      latencyMs: 25,
      pacingViolations: 2,
    });
    expect(plan).toMatchObject({ restartEveryMs: 60_000, restartDownForMs: 5_000, latencyMs: 25 });
    expect(isEmptyFaultPlan(plan)).toBe(false);
  });

  it.each([
    [{ restartEveryMs: 0 }, "restartEveryMs"],
    [{ restartDownForMs: 1_000 }, "needs restartEveryMs"],
    [{ restartRollBackOrderIdsBy: 1 }, "needs restartEveryMs"],
    [{ restartEveryMs: 5_000, restartDownForMs: 5_000 }, "shorter than restartEveryMs"],
    [{ restartEveryMs: 60_000, restartRollBackOrderIdsBy: 1.5 }, "restartRollBackOrderIdsBy"],
    [{ latencyMs: -1 }, "latencyMs"],
    [{ pacingViolations: -2 }, "pacingViolations"],
  ])("refuses %j", (plan, message) => {
    expect(() => resolveFaultPlan(plan)).toThrow(ConfigError);
    expect(() => resolveFaultPlan(plan)).toThrow(message);
  });
});
