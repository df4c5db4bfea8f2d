import { describe, expect, it } from "vitest";
import { bearerTokenMatches } from "./bearer-token.js";

describe("bearerTokenMatches", () => {
  it("accepts the expected token after the Bearer scheme, in any case of the scheme", () => {
    expect(bearerTokenMatches("Bearer abc123", "abc123")).toBe(true);
    expect(bearerTokenMatches("bearer abc123", "abc123")).toBe(true);
  });

  it("refuses a missing header, another scheme, or a token that differs in content or length", () => {
    expect(bearerTokenMatches(undefined, "abc123")).toBe(false);
    expect(bearerTokenMatches("Basic abc123", "abc123")).toBe(false);
    expect(bearerTokenMatches("Bearer abc124", "abc123")).toBe(false);
    expect(bearerTokenMatches("Bearer abc1234", "abc123")).toBe(false);
    expect(bearerTokenMatches("Bearer ", "abc123")).toBe(false);
    expect(bearerTokenMatches("abc123", "abc123")).toBe(false);
  });

  it("never matches when no token is configured", () => {
    expect(bearerTokenMatches("Bearer ", "")).toBe(false);
  });
});
