import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { assertWireSafe, escapeNonAscii, isWireSafe } from "./ascii-text.js";

describe("ascii text", () => {
  it("lets 7-bit ASCII through unchanged", () => {
    expect(isWireSafe("Market data farm connection is OK:usfarm")).toBe(true);
    expect(escapeNonAscii("AAPL 100@201.94")).toBe("AAPL 100@201.94");
  });

  it("escapes non-ASCII characters and NUL as \\uXXXX like TWS does from version 153", () => {
    expect(escapeNonAscii("Société Générale\0")).toBe("Soci\\u00e9t\\u00e9 G\\u00e9n\\u00e9rale\\u0000");
  });

  it("refuses text that would break a field", () => {
    expect(() => {
      assertWireSafe("a\0b");
    }).toThrow(InvariantError);
    expect(() => {
      assertWireSafe("é");
    }).toThrow(InvariantError);
  });
});
