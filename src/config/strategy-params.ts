import { ConfigError } from "../core/errors.js";

/** Parses `fast=10,slow=30` (or a list of `name=value` items) into a name → text record. */
export function parseStrategyParams(text: string | readonly string[]): Record<string, string> {
  const items = typeof text === "string" ? text.split(",") : text.flatMap((item) => item.split(","));
  const params: Record<string, string> = {};
  for (const item of items) {
    const trimmed = item.trim();
    if (trimmed === "") continue;
    const match = /^([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.+)$/.exec(trimmed);
    if (match?.[1] === undefined || match[2] === undefined) {
      throw new ConfigError(`strategy parameter "${trimmed}" is not name=value (e.g. fast=10)`);
    }
    params[match[1]] = match[2].trim();
  }
  return params;
}
