import type { z } from "zod";
import type { Strategy } from "./strategy.js";

/** What the strategy is created for. */
export interface StrategySetup {
  readonly symbols: readonly string[];
}

/**
 * What a file in `strategies/` default-exports: a name, a zod schema for its own parameters (given as
 * text from `--param name=value`) and a factory.
 */
export interface StrategyDefinition<Params = unknown> {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly description: string;
  /** Parses text parameters (`{ fast: "10" }`) into typed ones, with defaults. Must be a strict object. */
  readonly parameters: z.ZodType<Params>;
  /** One line per parameter for `--help` and errors: `fast: fast SMA window in bars (default 10)`. */
  readonly parameterHelp: readonly string[];
  create(params: Params, setup: StrategySetup): Strategy;
}

/** Helper that keeps the parameter type of a definition while exporting it. */
export function defineStrategy<Params>(definition: StrategyDefinition<Params>): StrategyDefinition<Params> {
  return Object.freeze(definition);
}
