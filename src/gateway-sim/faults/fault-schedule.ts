import type { GatewaySimLogger } from "../server/gateway-sim-logger.js";
import type { ResolvedFaultPlan } from "./fault-plan.js";
import type { GatewayFaults } from "./gateway-faults.js";

/** The faults a schedule triggers. */
export type ScheduledFaults = Pick<
  GatewayFaults,
  "restart" | "setLatencyMs" | "forcePacingViolations" | "isRestarting"
>;

/**
 * Applies a FaultPlan in wall time: the latency and the forced pacing violations at start, then a restart
 * every `restartEveryMs` (each followed by a fresh batch of forced pacing violations, since a daemon
 * re-requests its history right after reconnecting). A restart that fails is logged; the next one still
 * comes.
 */
export class FaultSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly faults: ScheduledFaults,
    private readonly plan: ResolvedFaultPlan,
    private readonly logger: GatewaySimLogger,
  ) {}

  /** Applies the start-up faults and starts the restart timer. */
  start(): void {
    if (this.plan.latencyMs > 0) this.faults.setLatencyMs(this.plan.latencyMs);
    if (this.plan.pacingViolations > 0) this.faults.forcePacingViolations(this.plan.pacingViolations);
    const everyMs = this.plan.restartEveryMs;
    if (everyMs === undefined || this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.restartNow();
    }, everyMs);
  }

  /** Stops the timer; resolves once a restart in progress has finished. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private restartNow(): void {
    if (this.faults.isRestarting) {
      this.logger.warn({}, "scheduled restart skipped: the previous one is still under way");
      return;
    }
    const { restartDownForMs, restartRollBackOrderIdsBy, pacingViolations } = this.plan;
    this.running = this.faults
      .restart({ downForMs: restartDownForMs, rollBackOrderIdsBy: restartRollBackOrderIdsBy })
      .then(() => {
        if (pacingViolations > 0 && this.timer !== undefined) {
          this.faults.forcePacingViolations(pacingViolations);
        }
      })
      .catch((error: unknown) => {
        const detail = error instanceof Error ? error.message : String(error);
        this.logger.warn({ error: detail }, "scheduled restart failed");
      })
      .finally(() => {
        this.running = undefined;
      });
  }
}
