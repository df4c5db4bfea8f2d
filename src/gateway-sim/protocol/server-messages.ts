import { InvariantError } from "../../core/errors.js";
import { escapeNonAscii } from "./ascii-text.js";
import { IncomingMessageId } from "./message-ids.js";
import { MessageWriter } from "./message-writer.js";
import { ServerVersion } from "./server-versions.js";

// Encoders of the messages a session sends around connection start-up (ibkr-facts.md §1.3, §1.5, §2.2).
// Each takes the negotiated server version so that layouts can differ per version; later message
// families (market data, orders, …) follow the same shape in their own files.

/** The handshake reply: exactly two fields, the chosen version and the connection time (ibkr-facts.md §1.3). */
export function encodeServerVersionReply(serverVersion: number, connectionTime: string): Buffer {
  return new MessageWriter().int(serverVersion).string(connectionTime).toFrame();
}

/** MANAGED_ACCTS `[15, 1, "DU1,DU2"]`: the accounts the session may trade, comma-joined. */
export function encodeManagedAccounts(serverVersion: number, accounts: readonly string[]): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter().int(IncomingMessageId.MANAGED_ACCTS).int(1).string(accounts.join(",")).toFrame();
}

/** NEXT_VALID_ID `[9, 1, orderId]`: the lowest order id the client may use next. */
export function encodeNextValidId(serverVersion: number, orderId: number): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter().int(IncomingMessageId.NEXT_VALID_ID).int(1).int(orderId).toFrame();
}

/** CURRENT_TIME `[49, 1, epochSeconds]`. */
export function encodeCurrentTime(serverVersion: number, epochSeconds: number): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter().int(IncomingMessageId.CURRENT_TIME).int(1).long(epochSeconds).toFrame();
}

/** The content of one ERR_MSG: a request/order id (−1 for the connection), an IB code and its text. */
export interface TwsErrorMessage {
  readonly id: number;
  readonly code: number;
  readonly message: string;
  /** "" or a JSON document; anything else crashes @stoqey/ib's data handler (ibkr-facts.md §6.11). */
  readonly advancedOrderRejectJson?: string;
}

/**
 * ERR_MSG `[4, 2, id, code, message, advancedOrderRejectJson (≥166)]` for server versions below 194
 * (ibkr-facts.md §2.2); non-ASCII text is escaped as \uXXXX from version 153 (§1.1).
 */
export function encodeErrorMessage(serverVersion: number, error: TwsErrorMessage): Buffer {
  assertEncodable(serverVersion);
  const json = error.advancedOrderRejectJson ?? "";
  if (json !== "") assertJson(json);
  const escape = serverVersion >= ServerVersion.ENCODE_MSG_ASCII7 ? escapeNonAscii : (text: string) => text;
  const writer = new MessageWriter()
    .int(IncomingMessageId.ERR_MSG)
    .int(2)
    .int(error.id)
    .int(error.code)
    .string(escape(error.message));
  if (serverVersion >= ServerVersion.ADVANCED_ORDER_REJECT) writer.string(escape(json));
  return writer.toFrame();
}

/** Refuses versions whose layouts are not implemented here (194 changes ERR_MSG, ibkr-facts.md §1.6). */
function assertEncodable(serverVersion: number): void {
  if (!Number.isInteger(serverVersion) || serverVersion >= ServerVersion.ERROR_TIME) {
    throw new InvariantError(`no message layouts for server version ${serverVersion}`);
  }
}

function assertJson(text: string): void {
  try {
    JSON.parse(text);
  } catch (error: unknown) {
    throw new InvariantError(`advancedOrderRejectJson ${JSON.stringify(text)} is not JSON`, { cause: error });
  }
}
