import { contractDetails } from "../market/contract-details.js";
import { encodeContractData, encodeContractDataEnd } from "../protocol/contract-data-messages.js";
import { decodeContractDetailsRequest } from "../protocol/contract-data-requests.js";
import type { RequestHandler } from "../server/request-handler.js";
import { resolveContract } from "./contract-resolver.js";
import { noSecurityDefinition } from "./market-data-errors.js";
import type { MarketDataContext } from "./market-data-context.js";

/**
 * REQ_CONTRACT_DATA → CONTRACT_DATA (trading hours from the simulated day on) and CONTRACT_DATA_END; a
 * contract that resolves to nothing gets only error 200, as in TWS.
 */
export function createContractDetailsHandler(context: MarketDataContext): RequestHandler {
  return (fields, session) => {
    const { reqId, contract, secIdType, secId } = decodeContractDetailsRequest(fields, session.serverVersion);
    const instrument = resolveContract(context.universe, contract, { secIdType, secId });
    if (instrument === undefined) {
      session.sendError(noSecurityDefinition(reqId));
      return;
    }
    const details = contractDetails(instrument, context.scheduler.clock.nowMs());
    session.send(encodeContractData(session.serverVersion, reqId, details));
    session.send(encodeContractDataEnd(session.serverVersion, reqId));
  };
}
