import type { ExecutionFilterRequest } from "../protocol/order-request-decoders.js";
import type { ExecutionRecord } from "./account-book.js";
import { parseExecutionFilterTime, startOfDayMs } from "./tws-time.js";

/**
 * Whether an execution passes a reqExecutions filter (ibkr-facts.md §5.3): only executions since midnight
 * of the current day (IB Gateway's limit), at or after the filter time, and matching every non-empty
 * field; client id 0 matches every client (IB's default ExecutionFilter sends 0). Side accepts BUY/BOT and
 * SELL/SLD; exchange matches the execution's venue.
 */
export function matchesExecutionFilter(
  execution: ExecutionRecord,
  filter: ExecutionFilterRequest,
  nowMs: number,
): boolean {
  if (execution.timeMs < startOfDayMs(nowMs)) return false;
  const since = parseExecutionFilterTime(filter.time);
  if (since !== undefined && execution.timeMs < since) return false;
  if (filter.clientId !== 0 && execution.clientId !== filter.clientId) return false;
  if (!matchesText(filter.account, execution.account)) return false;
  if (!matchesText(filter.symbol, execution.instrument.symbol)) return false;
  if (!matchesText(filter.secType, execution.instrument.secType)) return false;
  if (!matchesText(filter.exchange, execution.venue)) return false;
  const side = filter.side.trim().toUpperCase();
  if (side === "") return true;
  const bought = execution.action === "BUY";
  return bought ? side === "BUY" || side === "BOT" : side === "SELL" || side === "SLD";
}

function matchesText(wanted: string, actual: string): boolean {
  const trimmed = wanted.trim();
  return trimmed === "" || trimmed.toUpperCase() === actual.toUpperCase();
}
