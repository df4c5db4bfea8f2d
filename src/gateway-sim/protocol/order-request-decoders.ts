import type { FieldReader } from "./field-reader.js";
import { assertOrderLayoutVersion } from "./order-messages.js";
import { ServerVersion } from "./server-versions.js";

// Decoders of the order requests whose layout depends on the server version (ibkr-facts.md §2.5); each
// reads the fields after the message id.

/** A decoded CANCEL_ORDER. */
export interface CancelOrderRequest {
  readonly orderId: number;
  readonly manualOrderCancelTime: string;
  /** Server version 192 and later. */
  readonly extOperator: string | undefined;
  readonly manualOrderIndicator: number | undefined;
}

/**
 * CANCEL_ORDER: below 192 `[4, 1, orderId, manualOrderCancelTime]` (plus the RFQ pair `"", "", 2147483647`
 * at 187…189), from 192 `[4, orderId, manualOrderCancelTime, extOperator, manualOrderIndicator]`.
 */
export function decodeCancelOrder(request: FieldReader, serverVersion: number): CancelOrderRequest {
  assertOrderLayoutVersion(serverVersion);
  if (serverVersion < ServerVersion.CME_TAGGING_FIELDS) request.readInt(); // version
  const orderId = request.readInt();
  const manualOrderCancelTime = request.readString();
  if (serverVersion >= ServerVersion.RFQ_FIELDS && serverVersion < ServerVersion.UNDO_RFQ_FIELDS) {
    request.readString();
    request.readString();
    request.readIntOrUnset();
  }
  if (serverVersion < ServerVersion.CME_TAGGING_FIELDS) {
    return { orderId, manualOrderCancelTime, extOperator: undefined, manualOrderIndicator: undefined };
  }
  return {
    orderId,
    manualOrderCancelTime,
    extOperator: request.readString(),
    manualOrderIndicator: request.readIntOrUnset(),
  };
}

/** REQ_GLOBAL_CANCEL: below 192 `[58, 1]`, from 192 `[58, extOperator, manualOrderIndicator]`. */
export function decodeGlobalCancel(request: FieldReader, serverVersion: number): void {
  assertOrderLayoutVersion(serverVersion);
  if (serverVersion < ServerVersion.CME_TAGGING_FIELDS) {
    request.readInt();
    return;
  }
  request.readString();
  request.readIntOrUnset();
}

/** The filter of a REQ_EXECUTIONS; empty texts and client id 0 match everything. */
export interface ExecutionFilterRequest {
  readonly reqId: number;
  readonly clientId: number;
  readonly account: string;
  /** `yyyymmdd-hh:mm:ss` (UTC) or `yyyyMMdd HH:mm:ss [zone]`; executions at or after it. */
  readonly time: string;
  readonly symbol: string;
  readonly secType: string;
  readonly exchange: string;
  /** `BUY`/`SELL` (IB also accepts `BOT`/`SLD`). */
  readonly side: string;
}

/** REQ_EXECUTIONS (server version below 200) `[7, 3, reqId, clientId, acctCode, time, symbol, secType, exchange, side]`. */
export function decodeExecutionFilter(request: FieldReader, serverVersion: number): ExecutionFilterRequest {
  assertOrderLayoutVersion(serverVersion);
  request.readInt(); // version
  return {
    reqId: request.readInt(),
    clientId: request.readInt(),
    account: request.readString(),
    time: request.readString(),
    symbol: request.readString(),
    secType: request.readString(),
    exchange: request.readString(),
    side: request.readString(),
  };
}
