import { InvariantError } from "../../core/errors.js";

/**
 * Fault injection for order tests, shared by every session of one simulator: drop or delay the
 * ORDER_STATUS a fill produces, or send an execution (EXECUTION_DATA and COMMISSION_REPORT) twice.
 * These are the callback gaps real daemons must survive (design.md §4, anchors: "orderStatus may be
 * skipped", duplicated executions).
 */
export class OrderFaults {
  private droppedStatuses = 0;
  private duplicatedExecutions = 0;
  private statusDelayMs = 0;

  /** The next `count` fills send their execution and commission report but no ORDER_STATUS. */
  dropNextFillOrderStatus(count = 1): void {
    this.droppedStatuses += assertCount(count);
  }

  /** From now on, each fill's ORDER_STATUS is sent `delayMs` of simulated time after its execution (0 = at once). */
  delayFillOrderStatusMs(delayMs: number): void {
    if (!(delayMs >= 0) || !Number.isFinite(delayMs)) {
      throw new InvariantError(`fill orderStatus delay ${delayMs} ms must be a finite number >= 0`);
    }
    this.statusDelayMs = delayMs;
  }

  /** The next `count` executions are each sent twice (same execId), with their commission report. */
  duplicateNextExecution(count = 1): void {
    this.duplicatedExecutions += assertCount(count);
  }

  /** Consumes one "drop" if any is pending: true when this fill's ORDER_STATUS must not be sent. */
  takeDroppedFillStatus(): boolean {
    if (this.droppedStatuses === 0) return false;
    this.droppedStatuses -= 1;
    return true;
  }

  /** Consumes one "duplicate" if any is pending: true when this execution must be sent twice. */
  takeDuplicatedExecution(): boolean {
    if (this.duplicatedExecutions === 0) return false;
    this.duplicatedExecutions -= 1;
    return true;
  }

  /** The current delay of fill ORDER_STATUS messages in simulated milliseconds. */
  get fillStatusDelayMs(): number {
    return this.statusDelayMs;
  }
}

function assertCount(count: number): number {
  if (!Number.isInteger(count) || count < 0)
    throw new InvariantError(`count ${count} must be an integer >= 0`);
  return count;
}
