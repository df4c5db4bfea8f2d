import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LatencyQueue } from "./latency-queue.js";

const frame = (text: string): Buffer => Buffer.from(text);

describe("LatencyQueue", () => {
  let written: string[];
  let queue: LatencyQueue;

  beforeEach(() => {
    vi.useFakeTimers();
    written = [];
    queue = new LatencyQueue(
      (buffer) => written.push(buffer.toString()),
      () => Date.now(),
    );
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes at once when there is no latency and nothing is held back", () => {
    queue.push(frame("a"), 0);
    expect(written).toEqual(["a"]);
    expect(queue.size).toBe(0);
  });

  it("holds a frame back for exactly the latency", () => {
    queue.push(frame("a"), 100);
    vi.advanceTimersByTime(99);
    expect(written).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(written).toEqual(["a"]);
  });

  it("keeps the order when the latency drops while frames are held back", () => {
    queue.push(frame("slow"), 100);
    queue.push(frame("fast"), 10);
    queue.push(frame("none"), 0);
    vi.advanceTimersByTime(99);
    expect(written).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(written).toEqual(["slow", "fast", "none"]);
  });

  it("sends frames queued at different times each after its own latency", () => {
    queue.push(frame("a"), 50);
    vi.advanceTimersByTime(30);
    queue.push(frame("b"), 50);
    vi.advanceTimersByTime(20);
    expect(written).toEqual(["a"]);
    vi.advanceTimersByTime(30);
    expect(written).toEqual(["a", "b"]);
  });

  it("never writes early when its timer fires before the due time", () => {
    let now = 0;
    const early = new LatencyQueue(
      (buffer) => written.push(buffer.toString()),
      () => now,
    );
    early.push(frame("a"), 10.4); // due at 10.4; the timer is set for 11 whole milliseconds
    now = 10;
    vi.advanceTimersByTime(11);
    expect(written).toEqual([]);
    now = 10.4;
    vi.advanceTimersByTime(1);
    expect(written).toEqual(["a"]);
  });

  it("writes everything held back, in order, on flush", () => {
    queue.push(frame("a"), 100);
    queue.push(frame("b"), 100);
    queue.flush();
    expect(written).toEqual(["a", "b"]);
    vi.advanceTimersByTime(200);
    expect(written).toEqual(["a", "b"]);
  });

  it("drops everything held back on clear", () => {
    queue.push(frame("a"), 100);
    queue.clear();
    vi.advanceTimersByTime(200);
    expect(written).toEqual([]);
    expect(queue.size).toBe(0);
  });
});
