import type { ClientHello } from "./client-hello.js";

/** Lowest server version the simulator speaks: the highest every common client accepts (ibkr-facts.md §1.6). */
export const MIN_SUPPORTED_SERVER_VERSION = 176;

/** Highest server version the simulator speaks: @stoqey/ib 1.6.10 refuses anything above (ibkr-facts.md §1.6). */
export const MAX_SUPPORTED_SERVER_VERSION = 193;

/**
 * Server versions at which message layouts change (IB's MIN_SERVER_VER_* names), for the layouts in
 * ibkr-facts.md §2. Every encoder and decoder branches on these, never on bare numbers.
 */
export const ServerVersion = {
  /** START_API carries optionalCapabilities. */
  OPTIONAL_CAPABILITIES: 72,
  /** HISTORICAL_DATA loses its version field (and hasGaps). */
  SYNT_REALTIME_BARS: 124,
  /** PNL and PNL_SINGLE carry unrealizedPnL. */
  UNREALIZED_PNL: 129,
  /** ORDER_STATUS loses its version field and gains mktCapPrice. */
  MARKET_CAP_PRICE: 131,
  /** PNL and PNL_SINGLE carry realizedPnL. */
  REALIZED_PNL: 135,
  /** EXECUTION_DATA loses its version field and gains lastLiquidity. */
  LAST_LIQUIDITY: 136,
  /** OPEN_ORDER carries the six margin "before/change" fields. */
  WHAT_IF_EXT_FIELDS: 142,
  /** OPEN_ORDER and PLACE_ORDER lose their version field. */
  ORDER_CONTAINER: 145,
  /** Error texts and contract long names escape non-ASCII as \uXXXX. */
  ENCODE_MSG_ASCII7: 153,
  /** CONTRACT_DATA loses its version field and gains minSize/sizeIncrement/suggestedSizeIncrement. */
  SIZE_RULES: 164,
  /** ERR_MSG carries advancedOrderRejectJson. */
  ADVANCED_ORDER_REJECT: 166,
  /** REQ_CONTRACT_DATA carries issuerId. */
  BOND_ISSUER_ID: 176,
  /** OPEN_ORDER and PLACE_ORDER drop faProfile. */
  FA_PROFILE_DESUPPORT: 177,
  /** EXECUTION_DATA carries pendingPriceRevision. */
  PENDING_PRICE_REVISION: 178,
  /** CONTRACT_DATA carries fund fields for secType FUND. */
  FUND_DATA_FIELDS: 179,
  /** CONTRACT_DATA carries lastTradeDate. */
  LAST_TRADE_DATE: 182,
  /** OPEN_ORDER and PLACE_ORDER carry customerAccount. */
  CUSTOMER_ACCOUNT: 183,
  /** OPEN_ORDER and PLACE_ORDER carry professionalCustomer. */
  PROFESSIONAL_CUSTOMER: 184,
  /** OPEN_ORDER carries bondAccruedInterest. */
  BOND_ACCRUED_INTEREST: 185,
  /** CONTRACT_DATA carries ineligibility reasons. */
  INELIGIBILITY_REASONS: 186,
  /** PLACE_ORDER and CANCEL_ORDER carry the RFQ pair (until UNDO_RFQ_FIELDS). */
  RFQ_FIELDS: 187,
  /** OPEN_ORDER and PLACE_ORDER carry includeOvernight. */
  INCLUDE_OVERNIGHT: 189,
  /** The RFQ pair is gone again. */
  UNDO_RFQ_FIELDS: 190,
  /** CANCEL_ORDER and REQ_GLOBAL_CANCEL lose their version field; PLACE_ORDER carries manualOrderIndicator. */
  CME_TAGGING_FIELDS: 192,
  /** OPEN_ORDER carries extOperator and manualOrderIndicator. */
  CME_TAGGING_FIELDS_IN_OPEN_ORDER: 193,
  /** ERR_MSG loses its version field and gains errorTime; above what this simulator speaks. */
  ERROR_TIME: 194,
} as const;

/**
 * Chooses the server version like TWS does: the client's maximum capped at `maxServerVersion`; undefined
 * when that falls below the client's minimum or below MIN_SUPPORTED_SERVER_VERSION (ibkr-facts.md §1.3, §1.6).
 */
export function negotiateServerVersion(hello: ClientHello, maxServerVersion: number): number | undefined {
  const version = Math.min(hello.maxVersion, maxServerVersion);
  if (version < hello.minVersion || version < MIN_SUPPORTED_SERVER_VERSION) return undefined;
  return version;
}

/** True when `version` is an integer the simulator can announce. */
export function isSupportedServerVersion(version: number): boolean {
  return (
    Number.isInteger(version) &&
    version >= MIN_SUPPORTED_SERVER_VERSION &&
    version <= MAX_SUPPORTED_SERVER_VERSION
  );
}
