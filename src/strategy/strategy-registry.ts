import { existsSync, readdirSync } from "node:fs";
import { basename, extname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { StrategyError } from "../core/errors.js";
import type { Strategy } from "./strategy.js";
import type { StrategyDefinition, StrategySetup } from "./strategy-definition.js";

/** A strategy ready to run, with its validated parameters (kept for reports and logs). */
export interface LoadedStrategy {
  readonly definition: StrategyDefinition;
  readonly params: Readonly<Record<string, unknown>>;
  readonly strategy: Strategy;
}

const OWN_EXTENSION = extname(fileURLToPath(import.meta.url));

/** Default strategies folder: `strategies/` beside `src/` (sources) or `dist/strategies/` (build). */
export function defaultStrategiesDirectory(): string {
  return fileURLToPath(new URL("../../strategies/", import.meta.url));
}

function isStrategyDefinition(value: unknown): value is StrategyDefinition {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<StrategyDefinition>;
  return typeof candidate.name === "string" && typeof candidate.create === "function";
}

/**
 * Loads strategies by name from one folder: `<name>.ts` (or `.js` when built), or a file whose
 * definition lists the name among its aliases. Validates each strategy's own parameters.
 */
export class StrategyRegistry {
  constructor(private readonly directory: string = defaultStrategiesDirectory()) {}

  /** Names of the strategy files available. */
  listFiles(): string[] {
    if (!existsSync(this.directory)) return [];
    return readdirSync(this.directory)
      .filter(
        (file) => extname(file) === OWN_EXTENSION && !file.includes(".test.") && !file.endsWith(".d.ts"),
      )
      .map((file) => basename(file, OWN_EXTENSION))
      .sort();
  }

  private async importFile(name: string): Promise<StrategyDefinition> {
    const path = `${this.directory}/${name}${OWN_EXTENSION}`;
    const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    if (!isStrategyDefinition(module.default)) {
      throw new StrategyError(
        "STRATEGY_UNKNOWN",
        `${path} does not default-export a strategy definition (use defineStrategy from src/strategy)`,
      );
    }
    return module.default;
  }

  /** Finds a strategy definition by file name or alias. */
  async find(name: string): Promise<StrategyDefinition> {
    const files = this.listFiles();
    if (files.includes(name)) return this.importFile(name);
    for (const file of files) {
      const definition = await this.importFile(file);
      if (definition.name === name || definition.aliases?.includes(name) === true) return definition;
    }
    throw new StrategyError(
      "STRATEGY_UNKNOWN",
      `unknown strategy "${name}": use one of ${(await this.names()).join(", ")} (files in ${this.directory})`,
    );
  }

  /** Every name a strategy can be requested by. */
  async names(): Promise<string[]> {
    const names: string[] = [];
    for (const file of this.listFiles()) {
      const definition = await this.importFile(file);
      names.push(definition.name, ...(definition.aliases ?? []));
    }
    return [...new Set(names)];
  }

  /** Loads, validates the parameters and creates a strategy instance. */
  async load(
    name: string,
    textParams: Readonly<Record<string, string>>,
    setup: StrategySetup,
  ): Promise<LoadedStrategy> {
    const definition = await this.find(name);
    const parsed = definition.parameters.safeParse(textParams);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path.join(".") ?? "";
      const what =
        issue?.code === "unrecognized_keys"
          ? `unknown parameter ${issue.keys.map((k) => `"${k}"`).join(", ")}`
          : `parameter ${key === "" ? "" : `"${key}"`}${key in textParams ? `=${JSON.stringify(textParams[key])}` : ""} is invalid: ${issue?.message ?? "invalid"}`;
      throw new StrategyError(
        "STRATEGY_PARAMS_INVALID",
        `strategy ${definition.name}: ${what}; parameters: ${definition.parameterHelp.join("; ")}`,
      );
    }
    const params = Object.freeze({ ...(parsed.data as Record<string, unknown>) });
    return { definition, params, strategy: definition.create(parsed.data, setup) };
  }
}
