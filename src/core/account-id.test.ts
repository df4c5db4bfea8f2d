import { describe, expect, it } from "vitest";
import { isPaperAccountId, maskAccountId } from "./account-id.js";

describe("account ids", () => {
  it("masks all but the prefix and the last three characters", () => {
    expect(maskAccountId("DU1234567")).toBe("DU***567");
    expect(maskAccountId("U12")).toBe("U***");
  });

  it("treats DU accounts as paper and U accounts as live", () => {
    expect(isPaperAccountId("DU1234567")).toBe(true);
    expect(isPaperAccountId("U1234567")).toBe(false);
  });
});
