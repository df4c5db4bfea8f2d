import { describe, expect, it } from "vitest";
import { isSupportedServerVersion, negotiateServerVersion } from "./server-versions.js";

const hello = (minVersion: number, maxVersion: number) => ({ minVersion, maxVersion, connectOptions: "" });

describe("negotiateServerVersion", () => {
  it("answers the client's maximum when the simulator supports it", () => {
    expect(negotiateServerVersion(hello(100, 193), 193)).toBe(193);
    expect(negotiateServerVersion(hello(157, 178), 193)).toBe(178);
  });

  it("caps the version at the simulator's maximum", () => {
    expect(negotiateServerVersion(hello(100, 193), 176)).toBe(176);
    expect(negotiateServerVersion(hello(100, 225), 193)).toBe(193);
  });

  it("refuses a client whose maximum is below the lowest supported version", () => {
    expect(negotiateServerVersion(hello(100, 175), 193)).toBeUndefined();
  });

  it("refuses a client whose minimum is above what the simulator speaks", () => {
    expect(negotiateServerVersion(hello(194, 225), 193)).toBeUndefined();
  });
});

describe("isSupportedServerVersion", () => {
  it("accepts exactly the integers 176 to 193", () => {
    expect([175, 176, 193, 194, 180.5].map(isSupportedServerVersion)).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });
});
