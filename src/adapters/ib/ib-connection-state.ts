import type { GatewayError } from "../../core/errors.js";

/** What a ready connection knows about its TWS / IB Gateway session. */
export interface IbSession {
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  readonly serverVersion: number;
  /** Managed accounts as announced by MANAGED_ACCTS (full ids: mask them before logging). */
  readonly accounts: readonly string[];
  /** The NEXT_VALID_ID announced at connect. */
  readonly nextValidOrderId: number;
  /** 1 for the first connection, +1 for each reconnect: requests carry it to tell sessions apart. */
  readonly generation: number;
  readonly connectedAtMs: number;
}

/** The connection's state stream. Only `ready` lets a request through. */
export type IbConnectionState =
  | { readonly status: "idle" }
  | { readonly status: "connecting"; readonly attempt: number }
  | { readonly status: "ready"; readonly session: IbSession }
  | {
      readonly status: "waiting-to-reconnect";
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | { readonly status: "stopped"; readonly reason: string; readonly error?: GatewayError };

/** An IB code addressed to the whole connection (id −1: 1100, 1101, 2103, …) or to one request. */
export interface IbNotice {
  readonly code: number;
  readonly message: string;
  /** −1 for connection-level notices. */
  readonly reqId: number;
  readonly action: "info" | "retry" | "resubscribe" | "reject-request" | "fatal";
}
