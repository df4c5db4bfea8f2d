/**
 * Ids of messages TWS sends to API clients ("incoming" from the client's point of view), from
 * ibkr-facts.md §2.1 (IB's EDecoder constants).
 */
export const IncomingMessageId = {
  TICK_PRICE: 1,
  TICK_SIZE: 2,
  ORDER_STATUS: 3,
  ERR_MSG: 4,
  OPEN_ORDER: 5,
  ACCT_VALUE: 6,
  PORTFOLIO_VALUE: 7,
  ACCT_UPDATE_TIME: 8,
  NEXT_VALID_ID: 9,
  CONTRACT_DATA: 10,
  EXECUTION_DATA: 11,
  MARKET_DEPTH: 12,
  MARKET_DEPTH_L2: 13,
  NEWS_BULLETINS: 14,
  MANAGED_ACCTS: 15,
  RECEIVE_FA: 16,
  HISTORICAL_DATA: 17,
  BOND_CONTRACT_DATA: 18,
  SCANNER_PARAMETERS: 19,
  SCANNER_DATA: 20,
  TICK_OPTION_COMPUTATION: 21,
  TICK_GENERIC: 45,
  TICK_STRING: 46,
  TICK_EFP: 47,
  CURRENT_TIME: 49,
  REAL_TIME_BARS: 50,
  FUNDAMENTAL_DATA: 51,
  CONTRACT_DATA_END: 52,
  OPEN_ORDER_END: 53,
  ACCT_DOWNLOAD_END: 54,
  EXECUTION_DATA_END: 55,
  DELTA_NEUTRAL_VALIDATION: 56,
  TICK_SNAPSHOT_END: 57,
  MARKET_DATA_TYPE: 58,
  COMMISSION_REPORT: 59,
  POSITION: 61,
  POSITION_END: 62,
  ACCOUNT_SUMMARY: 63,
  ACCOUNT_SUMMARY_END: 64,
  TICK_REQ_PARAMS: 81,
  HEAD_TIMESTAMP: 88,
  HISTORICAL_DATA_UPDATE: 90,
  MARKET_RULE: 93,
  PNL: 94,
  PNL_SINGLE: 95,
  HISTORICAL_TICKS: 96,
  HISTORICAL_TICKS_BID_ASK: 97,
  HISTORICAL_TICKS_LAST: 98,
  TICK_BY_TICK: 99,
  ORDER_BOUND: 100,
  COMPLETED_ORDER: 101,
  COMPLETED_ORDERS_END: 102,
  REPLACE_FA_END: 103,
  USER_INFO: 107,
  /** Server version 196 and later only; never sent by this simulator (max 193). */
  HISTORICAL_DATA_END: 108,
  /** Server version 196 and later only; never sent by this simulator (max 193). */
  CURRENT_TIME_IN_MILLIS: 109,
} as const;

/** A message id TWS sends. */
export type IncomingMessageId = (typeof IncomingMessageId)[keyof typeof IncomingMessageId];

/**
 * Ids of requests API clients send to TWS ("outgoing" from the client's point of view), from
 * ibkr-facts.md §2.4 (IB's EClient constants).
 */
export const OutgoingMessageId = {
  REQ_MKT_DATA: 1,
  CANCEL_MKT_DATA: 2,
  PLACE_ORDER: 3,
  CANCEL_ORDER: 4,
  REQ_OPEN_ORDERS: 5,
  REQ_ACCOUNT_DATA: 6,
  REQ_EXECUTIONS: 7,
  REQ_IDS: 8,
  REQ_CONTRACT_DATA: 9,
  REQ_MKT_DEPTH: 10,
  CANCEL_MKT_DEPTH: 11,
  REQ_AUTO_OPEN_ORDERS: 15,
  REQ_ALL_OPEN_ORDERS: 16,
  REQ_MANAGED_ACCTS: 17,
  REQ_HISTORICAL_DATA: 20,
  CANCEL_HISTORICAL_DATA: 25,
  REQ_CURRENT_TIME: 49,
  REQ_REAL_TIME_BARS: 50,
  CANCEL_REAL_TIME_BARS: 51,
  REQ_GLOBAL_CANCEL: 58,
  REQ_MARKET_DATA_TYPE: 59,
  REQ_POSITIONS: 61,
  REQ_ACCOUNT_SUMMARY: 62,
  CANCEL_ACCOUNT_SUMMARY: 63,
  CANCEL_POSITIONS: 64,
  START_API: 71,
  REQ_PNL: 92,
  CANCEL_PNL: 93,
  REQ_PNL_SINGLE: 94,
  CANCEL_PNL_SINGLE: 95,
  REQ_COMPLETED_ORDERS: 99,
  REQ_USER_INFO: 104,
} as const;

/** A message id API clients send. */
export type OutgoingMessageId = (typeof OutgoingMessageId)[keyof typeof OutgoingMessageId];

const outgoingNames = new Map<number, string>(
  Object.entries(OutgoingMessageId).map(([name, id]) => [id, name]),
);

/** The name of a client request id for logs (`REQ_IDS`), or undefined when the id is not in the table. */
export function outgoingMessageName(id: number): string | undefined {
  return outgoingNames.get(id);
}
