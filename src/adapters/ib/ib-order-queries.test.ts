import { describe, expect, it } from "vitest";
import { brokerOrderStateOf, commissionOf, ibExecutionFilterTime } from "./ib-order-queries.js";

describe("brokerOrderStateOf", () => {
  it.each([
    ["PendingSubmit", "pending"],
    ["ApiPending", "pending"],
    ["PreSubmitted", "working"],
    ["Submitted", "working"],
    ["PendingCancel", "pending-cancel"],
    ["Filled", "filled"],
    ["Cancelled", "cancelled"],
    ["ApiCancelled", "cancelled"],
    ["Inactive", "inactive"],
  ])("reduces IB's %s to %s", (status, state) => {
    expect(brokerOrderStateOf(status)).toBe(state);
  });

  it("counts a status it does not know as not yet confirmed", () => {
    expect(brokerOrderStateOf("Unknown")).toBe("pending");
    expect(brokerOrderStateOf(undefined)).toBe("pending");
  });
});

describe("ibExecutionFilterTime", () => {
  it("writes the reqExecutions filter time as yyyymmdd-hh:mm:ss in UTC", () => {
    expect(ibExecutionFilterTime(Date.UTC(2024, 0, 2, 15, 4, 5, 678))).toBe("20240102-15:04:05");
  });
});

describe("commissionOf", () => {
  it("reads IB's commission", () => {
    expect(commissionOf({ execId: "x", commission: 1.25 })?.toString()).toBe("1.25");
  });

  it("treats a missing commission or IB's max-double marker as not yet known", () => {
    expect(commissionOf({ execId: "x" })).toBeUndefined();
    expect(commissionOf({ execId: "x", commission: Number.MAX_VALUE })).toBeUndefined();
  });
});
