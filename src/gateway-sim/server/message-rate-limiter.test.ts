import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { MessageRateLimiter, messageRateExceeded, type RateVerdict } from "./message-rate-limiter.js";

function burst(limiter: MessageRateLimiter, count: number, atMs: number): RateVerdict[] {
  return Array.from({ length: count }, () => limiter.record(atMs));
}

describe("MessageRateLimiter", () => {
  it("accepts 50 messages in one instant", () => {
    const verdicts = burst(new MessageRateLimiter(), 50, 0);
    expect(verdicts.every((verdict) => verdict.accepted)).toBe(true);
  });

  it("rejects the 51st message within a second and reports the first violation", () => {
    const limiter = new MessageRateLimiter();
    burst(limiter, 50, 0);
    expect(limiter.record(999)).toEqual({
      accepted: false,
      violation: { number: 1, received: 51, disconnect: false },
    });
  });

  it("rejects further messages of the same burst without reporting them again", () => {
    const limiter = new MessageRateLimiter();
    burst(limiter, 51, 0);
    expect(limiter.record(10)).toEqual({ accepted: false, violation: undefined });
  });

  it("forgets a message exactly one second after it arrived", () => {
    const limiter = new MessageRateLimiter();
    limiter.record(0);
    burst(limiter, 49, 500);
    expect(limiter.record(1_000).accepted).toBe(true);
  });

  it("reports at most one violation per second and asks to disconnect on the third", () => {
    const limiter = new MessageRateLimiter();
    // Each burst of 60 meets the previous burst still in the window (t > now − 1000), so rec counts both.
    const reports = [0, 400, 1_000, 1_999, 2_000].map((atMs) => burst(limiter, 60, atMs));
    const violations = reports.flat().flatMap((verdict) => (verdict.accepted ? [] : [verdict.violation]));
    expect(violations.filter((violation) => violation !== undefined)).toEqual([
      { number: 1, received: 51, disconnect: false },
      { number: 2, received: 61, disconnect: false },
      { number: 3, received: 61, disconnect: true },
    ]);
  });

  it("refuses a cap below one", () => {
    expect(() => new MessageRateLimiter(0)).toThrow(InvariantError);
  });
});

describe("messageRateExceeded", () => {
  it("writes TWS's text with the count received and the violation number as id and suffix", () => {
    expect(messageRateExceeded({ number: 2, received: 138, disconnect: false })).toEqual({
      id: 2,
      code: 100,
      message: "Max rate of messages per second has been exceeded:max=50 rec=138 (2)",
    });
  });
});
