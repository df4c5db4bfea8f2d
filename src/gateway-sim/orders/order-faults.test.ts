import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { OrderFaults } from "./order-faults.js";

describe("OrderFaults", () => {
  it("drops exactly as many fill statuses as armed", () => {
    const faults = new OrderFaults();
    faults.dropNextFillOrderStatus(2);
    expect([
      faults.takeDroppedFillStatus(),
      faults.takeDroppedFillStatus(),
      faults.takeDroppedFillStatus(),
    ]).toEqual([true, true, false]);
  });

  it("duplicates exactly as many executions as armed", () => {
    const faults = new OrderFaults();
    faults.duplicateNextExecution();
    expect([faults.takeDuplicatedExecution(), faults.takeDuplicatedExecution()]).toEqual([true, false]);
  });

  it("keeps a status delay until it is set back to zero", () => {
    const faults = new OrderFaults();
    faults.delayFillOrderStatusMs(30_000);
    expect(faults.fillStatusDelayMs).toBe(30_000);
    faults.delayFillOrderStatusMs(0);
    expect(faults.fillStatusDelayMs).toBe(0);
  });

  it("refuses negative counts and delays", () => {
    const faults = new OrderFaults();
    expect(() => {
      faults.dropNextFillOrderStatus(-1);
    }).toThrow(InvariantError);
    expect(() => {
      faults.duplicateNextExecution(1.5);
    }).toThrow(InvariantError);
    expect(() => {
      faults.delayFillOrderStatusMs(-5);
    }).toThrow(InvariantError);
  });
});
