import { ConfigError } from "../../core/errors.js";

/**
 * Faults a simulator applies by itself on a wall-clock schedule, for runs with no test driving it (the
 * `gateway-sim` command, configuration). Every field is optional; an empty plan injects nothing.
 */
export interface FaultPlan {
  /** Restart the Gateway every this many wall milliseconds, the first time one period after start. */
  readonly restartEveryMs?: number;
  /** How long each scheduled restart refuses connections, in wall milliseconds; default 10,000. */
  readonly restartDownForMs?: number;
  /** How far each scheduled restart rolls every client's next valid order id back; default 0. */
  readonly restartRollBackOrderIdsBy?: number;
  /** Latency added to every server→client message from the start, in wall milliseconds; default 0. */
  readonly latencyMs?: number;
  /** The first N historical data requests get 162, and N more are armed after each scheduled restart; default 0. */
  readonly pacingViolations?: number;
}

/** A FaultPlan with its defaults applied. */
export interface ResolvedFaultPlan {
  readonly restartEveryMs: number | undefined;
  readonly restartDownForMs: number;
  readonly restartRollBackOrderIdsBy: number;
  readonly latencyMs: number;
  readonly pacingViolations: number;
}

/** Downtime of a scheduled restart when the plan does not say. */
export const DEFAULT_RESTART_DOWN_FOR_MS = 10_000;

/** Checks a plan and applies its defaults; a ConfigError names the first bad field. */
export function resolveFaultPlan(plan: FaultPlan = {}): ResolvedFaultPlan {
  const { restartEveryMs } = plan;
  if (restartEveryMs !== undefined && !(restartEveryMs > 0 && Number.isFinite(restartEveryMs))) {
    throw new ConfigError(`fault plan restartEveryMs ${restartEveryMs} must be a finite number > 0`);
  }
  if (restartEveryMs === undefined && plan.restartDownForMs !== undefined) {
    throw new ConfigError("fault plan restartDownForMs needs restartEveryMs");
  }
  if (restartEveryMs === undefined && plan.restartRollBackOrderIdsBy !== undefined) {
    throw new ConfigError("fault plan restartRollBackOrderIdsBy needs restartEveryMs");
  }
  const restartDownForMs = plan.restartDownForMs ?? DEFAULT_RESTART_DOWN_FOR_MS;
  if (!(restartDownForMs >= 0 && Number.isFinite(restartDownForMs))) {
    throw new ConfigError(`fault plan restartDownForMs ${restartDownForMs} must be a finite number >= 0`);
  }
  if (restartEveryMs !== undefined && restartDownForMs >= restartEveryMs) {
    throw new ConfigError(
      `fault plan restartDownForMs ${restartDownForMs} must be shorter than restartEveryMs ${restartEveryMs}`,
    );
  }
  const restartRollBackOrderIdsBy = wholeNumber(
    "restartRollBackOrderIdsBy",
    plan.restartRollBackOrderIdsBy ?? 0,
  );
  const latencyMs = plan.latencyMs ?? 0;
  if (!(latencyMs >= 0 && Number.isFinite(latencyMs))) {
    throw new ConfigError(`fault plan latencyMs ${latencyMs} must be a finite number >= 0`);
  }
  const pacingViolations = wholeNumber("pacingViolations", plan.pacingViolations ?? 0);
  return { restartEveryMs, restartDownForMs, restartRollBackOrderIdsBy, latencyMs, pacingViolations };
}

/** Whether the plan injects anything at all. */
export function isEmptyFaultPlan(plan: ResolvedFaultPlan): boolean {
  return plan.restartEveryMs === undefined && plan.latencyMs === 0 && plan.pacingViolations === 0;
}

function wholeNumber(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(`fault plan ${field} ${value} must be a whole number >= 0`);
  }
  return value;
}
