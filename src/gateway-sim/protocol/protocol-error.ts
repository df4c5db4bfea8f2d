import { TraderError } from "../../core/errors.js";

/** Why a byte stream or a message could not be decoded. */
export type ProtocolErrorReason = "malformed-hello" | "frame-too-long" | "field-underrun" | "bad-number";

/**
 * Bytes from a TWS API peer that break the wire protocol (ibkr-facts.md §1.1, §1.2); `reason` says which
 * rule, so a session can answer the way TWS would (close the socket, or error 320 and carry on).
 */
export class ProtocolError extends TraderError {
  readonly reason: ProtocolErrorReason;

  constructor(reason: ProtocolErrorReason, message: string, options?: { cause?: unknown }) {
    // No protocol code exists in core/errors.ts yet; DATA_INVALID ("input data is malformed") is the closest.
    super("DATA_INVALID", message, options);
    this.reason = reason;
  }
}
