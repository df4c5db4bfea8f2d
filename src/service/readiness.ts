/** One condition of readiness, e.g. `connected`, `reconciled`, `feeds-fresh`. */
export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  /** Why it is not ok, in one line a person can act on (e.g. "feed SPY: no bar for 312 s"). */
  readonly reason?: string | undefined;
}

/** The answer of GET /readyz. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheck[];
}

/** Ready when every check is ok; a daemon with no checks is ready. */
export function readinessOf(checks: readonly ReadinessCheck[]): Readiness {
  return Object.freeze({ ready: checks.every((check) => check.ok), checks: Object.freeze([...checks]) });
}

/** The line /readyz shows when not ready: the first failing check's reason, or its name. */
export function notReadyReason(readiness: Readiness): string {
  const failing = readiness.checks.find((check) => !check.ok);
  if (failing === undefined) return "not ready";
  return failing.reason !== undefined && failing.reason !== "" ? failing.reason : `${failing.name} is not ok`;
}
