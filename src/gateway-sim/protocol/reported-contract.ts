import type { MessageWriter } from "./message-writer.js";

/**
 * The eleven contract fields TWS echoes in POSITION, PORTFOLIO_VALUE, EXECUTION_DATA and the order
 * messages, in wire order (ibkr-facts.md §2.2, §2.3): for stocks strike is `0.0` and right/multiplier
 * are empty (`?` for right in order messages).
 */
export interface ReportedContract {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: string;
  readonly lastTradeDateOrContractMonth: string;
  readonly strike: number;
  readonly right: string;
  readonly multiplier: string;
  /** The exchange field; PORTFOLIO_VALUE sends the primary exchange here. */
  readonly exchange: string;
  readonly currency: string;
  readonly localSymbol: string;
  readonly tradingClass: string;
}

/** Writes the eleven fields in wire order (strike as a double), as POSITION, PORTFOLIO_VALUE and EXECUTION_DATA carry them. */
export function writeReportedContract(writer: MessageWriter, contract: ReportedContract): MessageWriter {
  return writer
    .int(contract.conId)
    .string(contract.symbol)
    .string(contract.secType)
    .string(contract.lastTradeDateOrContractMonth)
    .double(contract.strike)
    .string(contract.right)
    .string(contract.multiplier)
    .string(contract.exchange)
    .string(contract.currency)
    .string(contract.localSymbol)
    .string(contract.tradingClass);
}
