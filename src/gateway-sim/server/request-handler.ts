import type { Clock } from "../../core/clock.js";
import type { FieldReader } from "../protocol/field-reader.js";
import type { TwsErrorMessage } from "../protocol/server-messages.js";
import type { GatewaySimLogger } from "./gateway-sim-logger.js";

/** What a request handler may use of the session that received the request. */
export interface SessionContext {
  /** Unique per TCP connection, for logs. */
  readonly sessionId: number;
  readonly clientId: number;
  /** The negotiated server version every reply must be encoded for. */
  readonly serverVersion: number;
  readonly accounts: readonly string[];
  readonly clock: Clock;
  readonly logger: GatewaySimLogger;
  /** Writes one framed message to the client; a no-op once the connection is closed. */
  send(frame: Buffer): void;
  /** Sends an ERR_MSG encoded for the session's server version. */
  sendError(error: TwsErrorMessage): void;
  /** The lowest order id this client may use next. */
  nextValidOrderId(): number;
  /** Registers work to run once when the connection ends (cancel subscriptions, stop timers). */
  onClose(cleanup: () => void): void;
}

/**
 * Handles one client request. `request` is positioned after the message id; a ProtocolError it throws
 * (underrun, bad number) is answered by the session as a malformed request.
 */
export type RequestHandler = (request: FieldReader, session: SessionContext) => void;

/**
 * Told about every session right after its start-up messages (accounts, next id, farm status), before any
 * request of the client is handled: where TWS re-sends a reconnecting client's open orders (ibkr-facts.md
 * §1.5).
 */
export type SessionStartListener = (session: SessionContext) => void;

/** Request handlers keyed by the client's message id (OutgoingMessageId). */
export type RequestHandlerTable = ReadonlyMap<number, RequestHandler>;
