import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IB_CODE_RULES } from "../../src/adapters/ib/ib-error-codes.js";
import { CONFIG_KEYS } from "../../src/config/config-schema.js";
import { ERROR_CODES } from "../../src/core/errors.js";

const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");

describe("README", () => {
  it.each(CONFIG_KEYS.map((spec) => spec.key))("documents the configuration key %s", (key) => {
    expect(readme).toContain(`| \`${key}\` |`);
  });

  it.each(Object.keys(ERROR_CODES))("lists the error code %s", (code) => {
    expect(readme).toContain(`| \`${code}\` |`);
  });

  it.each([...IB_CODE_RULES.values()].map((rule) => [rule.code, rule.action] as const))(
    "documents what the daemon does on IB code %i (%s)",
    (code, action) => {
      expect(readme).toContain(`| ${code} | ${action} |`);
    },
  );

  it("has no unfilled placeholders", () => {
    expect(readme).not.toMatch(/PLACEHOLDER/);
  });
});
