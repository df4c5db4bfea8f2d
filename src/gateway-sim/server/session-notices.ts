import type { TwsErrorMessage } from "../protocol/server-messages.js";

/** The id TWS puts on ERR_MSGs about the connection rather than a request (stoqey emits them as `info`). */
export const NO_VALID_ID = -1;

/** What a TWS with healthy farms announces after START_API, with the real texts (ibkr-facts.md §1.5, §4). */
export const FARM_STATUS_OK: readonly TwsErrorMessage[] = [
  { id: NO_VALID_ID, code: 2104, message: "Market data farm connection is OK:usfarm" },
  { id: NO_VALID_ID, code: 2106, message: "HMDS data farm connection is OK:ushmds" },
  { id: NO_VALID_ID, code: 2158, message: "Sec-def data farm connection is OK:secdefil" },
];

/** 326, sent before TWS closes a connection whose client id is taken (ibkr-facts.md §4). */
export const CLIENT_ID_IN_USE: TwsErrorMessage = {
  id: NO_VALID_ID,
  code: 326,
  message: "Unable to connect as the client id is already in use. Retry with a unique client id.",
};

/**
 * 320 for a request that cannot be read (bad number, missing field). The code is what TWS answers to
 * malformed requests (ibkr-facts.md §6.13, stoqey issue #29); its exact wording is not in the facts, so
 * the text is ours.
 */
export function errorReadingRequest(messageId: number | undefined, detail: string): TwsErrorMessage {
  return {
    id: NO_VALID_ID,
    code: 320,
    message: `Error reading request. Message id ${messageId ?? "unknown"}. ${detail}`,
  };
}

/** 322 "Server error when processing an API client request" (ibkr-facts.md §4), for a failing handler. */
export function errorProcessingRequest(messageId: number | undefined, detail: string): TwsErrorMessage {
  return {
    id: NO_VALID_ID,
    code: 322,
    message: `Error processing request. Message id ${messageId ?? "unknown"}. ${detail}`,
  };
}

/** Connection-level notices a Gateway broadcasts, with IB's real texts where known (ibkr-facts.md §4). */
export const CONNECTIVITY_NOTICES = {
  connectivityLost: {
    id: NO_VALID_ID,
    code: 1100,
    message: "Connectivity between IB and Trader Workstation has been lost.",
  },
  restoredDataLost: {
    id: NO_VALID_ID,
    code: 1101,
    message: "Connectivity between IB and Trader Workstation has been restored - data lost.",
  },
  restoredDataMaintained: {
    id: NO_VALID_ID,
    code: 1102,
    message:
      "Connectivity between IB and Trader Workstation has been restored - data maintained. All data farms are connected: usfarm; ushmds; secdefil.",
  },
  marketDataFarmBroken: {
    id: NO_VALID_ID,
    code: 2103,
    message: "Market data farm connection is broken:usfarm",
  },
  marketDataFarmOk: { id: NO_VALID_ID, code: 2104, message: "Market data farm connection is OK:usfarm" },
  historicalFarmBroken: {
    id: NO_VALID_ID,
    code: 2105,
    message: "HMDS data farm connection is broken:ushmds",
  },
  historicalFarmOk: { id: NO_VALID_ID, code: 2106, message: "HMDS data farm connection is OK:ushmds" },
} as const satisfies Record<string, TwsErrorMessage>;

export type ConnectivityNotice = keyof typeof CONNECTIVITY_NOTICES;
