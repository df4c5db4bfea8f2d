import { describe, expect, it } from "vitest";
import { notReadyReason, readinessOf } from "./readiness.js";

describe("readinessOf", () => {
  it("is ready only when every check is ok", () => {
    expect(readinessOf([{ name: "connected", ok: true }]).ready).toBe(true);
    expect(readinessOf([]).ready).toBe(true);
    expect(
      readinessOf([
        { name: "connected", ok: true },
        { name: "reconciled", ok: false },
      ]).ready,
    ).toBe(false);
  });
});

describe("notReadyReason", () => {
  it("gives the first failing check's reason, or its name when it has none", () => {
    const withReason = readinessOf([
      { name: "connected", ok: false, reason: "gateway 127.0.0.1:4002 unreachable" },
      { name: "feeds-fresh", ok: false, reason: "feed SPY: no bar for 312 s" },
    ]);
    const withoutReason = readinessOf([{ name: "reconciled", ok: false }]);

    expect(notReadyReason(withReason)).toBe("gateway 127.0.0.1:4002 unreachable");
    expect(notReadyReason(withoutReason)).toBe("reconciled is not ok");
  });
});
