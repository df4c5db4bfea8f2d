import { describe, expect, it } from "vitest";
import { ManualScheduler } from "../../core/manual-scheduler.js";
import { IbSendQueue } from "./ib-send-queue.js";

function queueAt40(): {
  queue: IbSendQueue;
  scheduler: ManualScheduler;
  writes: { atMs: number; message: unknown }[];
} {
  const scheduler = new ManualScheduler(0);
  const writes: { atMs: number; message: unknown }[] = [];
  const queue = new IbSendQueue({
    maxPerSecond: 40,
    scheduler,
    write: (message) => writes.push({ atMs: scheduler.nowMs(), message }),
  });
  return { queue, scheduler, writes };
}

describe("IbSendQueue", () => {
  it("writes at once within the rate, then four per 100 ms in order", () => {
    const { queue, scheduler, writes } = queueAt40();
    for (let i = 0; i < 10; i++) queue.push(i);
    expect(writes.map((write) => write.message)).toEqual([0, 1, 2, 3]);
    expect(queue.depth).toBe(6);
    scheduler.advanceBy(100);
    expect(writes.map((write) => write.message)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    scheduler.advanceBy(100);
    expect(writes.map((write) => write.atMs)).toEqual([0, 0, 0, 0, 100, 100, 100, 100, 200, 200]);
    expect(queue.depth).toBe(0);
    expect(queue.written).toBe(10);
  });

  it("never writes more than a tenth of the rate in any 100 ms", () => {
    const { queue, scheduler, writes } = queueAt40();
    for (let step = 0; step < 50; step++) {
      for (let i = 0; i < (step * 7) % 5; i++) queue.push(`${step}.${i}`);
      scheduler.advanceBy(37);
    }
    scheduler.runAll();
    for (const write of writes) {
      const inWindow = writes.filter((other) => other.atMs >= write.atMs && other.atMs < write.atMs + 100);
      expect(inWindow.length).toBeLessThanOrEqual(4);
    }
    expect(writes).toHaveLength(queue.written);
  });

  it("clear() drops the backlog: nothing of it is written later, and the count is returned", () => {
    const { queue, scheduler, writes } = queueAt40();
    for (let i = 0; i < 10; i++) queue.push(`old ${i}`);
    expect(queue.clear()).toBe(6);
    expect(queue.depth).toBe(0);
    scheduler.advanceBy(1000);
    queue.push("new");
    scheduler.runAll();
    expect(writes.map((write) => write.message)).toEqual(["old 0", "old 1", "old 2", "old 3", "new"]);
    expect(queue.dropped).toBe(6);
  });

  it("afterWritten fires when everything queued before it has left, and never for a dropped message", () => {
    const { queue, scheduler } = queueAt40();
    const told: string[] = [];
    queue.afterWritten(() => told.push("empty"));
    expect(told).toEqual(["empty"]);
    for (let i = 0; i < 6; i++) queue.push(i);
    queue.afterWritten(() => told.push("after 6"));
    queue.push(6);
    queue.afterWritten(() => told.push("after 7"));
    expect(told).toEqual(["empty"]);
    scheduler.advanceBy(100);
    expect(told).toEqual(["empty", "after 6", "after 7"]);
    for (let i = 0; i < 8; i++) queue.push(i);
    queue.afterWritten(() => told.push("dropped"));
    queue.clear();
    scheduler.runAll();
    queue.afterWritten(() => told.push("after clear"));
    expect(told).toEqual(["empty", "after 6", "after 7", "after clear"]);
  });

  it("refuses a rate that is not positive", () => {
    expect(
      () => new IbSendQueue({ maxPerSecond: 0, scheduler: new ManualScheduler(0), write: () => undefined }),
    ).toThrow(/maxPerSecond must be positive/);
  });
});
