// What the daemon's end-to-end tests share: the compiled entry point, make paper's flags, and polling.
import { join } from "node:path";

export const MAIN = join(import.meta.dirname, "../../dist/src/main.js");

/** `make paper`'s configuration: the embedded gateway-sim, its paper account, 1-minute SMA 3/8 bars. */
export const PAPER_SIM_FLAGS: readonly string[] = [
  "--source",
  "sim",
  "--broker",
  "ibkr",
  "--symbols",
  "SPY",
  "--timeframe",
  "1m",
  "--strategy",
  "sma",
  "--param",
  "fast=3",
  "--param",
  "slow=8",
  "--param",
  "fraction=0.2",
  "--warmup",
  "30",
];

/**
 * Polls `check` (sync or async) until it returns a value (child processes and HTTP: no fixed sleeps).
 * `failFast` is asked each round for a reason to give up early, e.g. the child process has exited.
 */
export async function until<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs: number,
  failFast?: () => string | undefined,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const failed = failFast?.();
    if (failed !== undefined) throw new Error(`gave up waiting until ${what}: ${failed}`);
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
