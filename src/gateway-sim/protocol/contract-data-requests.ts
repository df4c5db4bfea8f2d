import type { FieldReader } from "./field-reader.js";
import { ServerVersion } from "./server-versions.js";

/**
 * The contract fields market data and contract details requests carry, in wire order (ibkr-facts.md §2.5),
 * as the client sent them: nothing is looked up yet, and "" (what @stoqey/ib sends for every field the
 * application left undefined) reads as 0 or "".
 */
export interface RequestContract {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: string;
  readonly lastTradeDateOrContractMonth: string;
  readonly strike: number;
  readonly right: string;
  readonly multiplier: string;
  readonly exchange: string;
  readonly primaryExchange: string;
  readonly currency: string;
  readonly localSymbol: string;
  readonly tradingClass: string;
}

/** One leg of a BAG (combo) contract as requests carry it: conId, ratio, action, exchange. */
export interface RequestComboLeg {
  readonly conId: number;
  readonly ratio: number;
  readonly action: string;
  readonly exchange: string;
}

/** Reads conId … tradingClass, the 12 contract fields every market data request starts with. */
export function readRequestContract(request: FieldReader): RequestContract {
  return {
    conId: request.readInt(),
    symbol: request.readString(),
    secType: request.readString(),
    lastTradeDateOrContractMonth: request.readString(),
    strike: request.readDouble(),
    right: request.readString(),
    multiplier: request.readString(),
    exchange: request.readString(),
    primaryExchange: request.readString(),
    currency: request.readString(),
    localSymbol: request.readString(),
    tradingClass: request.readString(),
  };
}

/** Reads the combo legs a BAG contract's request carries after its contract fields; none for other types. */
export function readRequestComboLegs(request: FieldReader, contract: RequestContract): RequestComboLeg[] {
  if (contract.secType.trim().toUpperCase() !== "BAG") return [];
  const count = request.readInt();
  const legs: RequestComboLeg[] = [];
  for (let leg = 0; leg < count; leg++) {
    legs.push({
      conId: request.readInt(),
      ratio: request.readInt(),
      action: request.readString(),
      exchange: request.readString(),
    });
  }
  return legs;
}

/** A REQ_CONTRACT_DATA request. */
export interface ContractDetailsRequest {
  readonly reqId: number;
  readonly contract: RequestContract;
  readonly includeExpired: boolean;
  readonly secIdType: string;
  readonly secId: string;
  /** Sent from server version 176 (BOND_ISSUER_ID); "" below. */
  readonly issuerId: string;
}

/**
 * REQ_CONTRACT_DATA `[9, 8, reqId, conId … tradingClass, includeExpired, secIdType, secId, issuerId (≥176)]`
 * (ibkr-facts.md §2.5), read from just after the message id.
 */
export function decodeContractDetailsRequest(
  request: FieldReader,
  serverVersion: number,
): ContractDetailsRequest {
  request.readInt(); // version (8)
  const reqId = request.readInt();
  const contract = readRequestContract(request);
  const includeExpired = request.readBool();
  const secIdType = request.readString();
  const secId = request.readString();
  const issuerId = serverVersion >= ServerVersion.BOND_ISSUER_ID ? request.readString() : "";
  return { reqId, contract, includeExpired, secIdType, secId, issuerId };
}
