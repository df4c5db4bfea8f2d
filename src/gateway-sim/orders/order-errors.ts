import type { TwsErrorMessage } from "../protocol/server-messages.js";

// The ERR_MSGs of the order flow, with IB's codes (ibkr-facts.md §4, IB's message-code table in
// milichev/tws-api-ref `18-error-handling.md`) and, where known, the exact texts real TWS sends.

/** 103, for an order id at or below one the client used before (text from ibkr-facts.md §4). */
export function duplicateOrderId(orderId: number): TwsErrorMessage {
  return { id: orderId, code: 103, message: "Duplicate order id" };
}

/** 104, for placing again with the id of a filled order. */
export function cannotModifyFilledOrder(orderId: number): TwsErrorMessage {
  return { id: orderId, code: 104, message: "Can't modify a filled order." };
}

/** 105, for a modification that changes more than price, size or transmit. */
export function modifyDoesNotMatch(orderId: number): TwsErrorMessage {
  return { id: orderId, code: 105, message: "Order being modified does not match original order." };
}

/** 200, for a contract the simulator does not list. */
export function noSecurityDefinition(orderId: number): TwsErrorMessage {
  return { id: orderId, code: 200, message: "No security definition has been found for the request" };
}

/**
 * 201 for an order the account cannot afford, with the wording of real margin rejections
 * ("YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE […]
 * MUST EXCEED THE INITIAL MARGIN […]", seen in several public logs).
 */
export function insufficientFunds(
  orderId: number,
  equityWithLoan: string,
  initialMargin: string,
): TwsErrorMessage {
  return {
    id: orderId,
    code: 201,
    message: `Order rejected - reason:${insufficientFundsReason(equityWithLoan, initialMargin)}`,
  };
}

/** The reason part of the 201 margin rejection, also the order state's warning text. */
export function insufficientFundsReason(equityWithLoan: string, initialMargin: string): string {
  return (
    "YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE " +
    `[${equityWithLoan} USD] MUST EXCEED THE INITIAL MARGIN [${initialMargin} USD]`
  );
}

/** 202 after a cancel, text `Order Canceled - reason:` as real TWS sends it (seen in public client tests). */
export function orderCancelled(orderId: number): TwsErrorMessage {
  return { id: orderId, code: 202, message: "Order Canceled - reason:" };
}

/**
 * 321 "Error validating request" for what TWS would accept but the simulator does not model (order types
 * other than MKT/LMT/STP, TIFs other than DAY/GTC, combos, conditions, brackets, what-if, …) and for
 * requests TWS refuses when validating them. TWS's texts follow `Error validating request.-'xx' : cause -
 * …` with an internal two-letter code the facts do not list, so the code part is left out.
 */
export function invalidRequest(id: number, cause: string): TwsErrorMessage {
  return { id, code: 321, message: `Error validating request: cause - ${cause}` };
}

/** 434 for a zero or missing quantity (ibkr-facts.md §4). */
export function zeroOrderSize(orderId: number): TwsErrorMessage {
  return { id: orderId, code: 434, message: "The order size cannot be zero" };
}

/**
 * 10147 for cancelling an order id that does not exist; real text `OrderId 42 that needs to be cancelled
 * is not found.` (ibkr-facts.md §4 lists 10147 for this; IB's older table also has 135 "Can't find order
 * with ID =", which current TWS builds do not send for cancels).
 */
export function cancelTargetNotFound(orderId: number): TwsErrorMessage {
  return { id: orderId, code: 10147, message: `OrderId ${orderId} that needs to be cancelled is not found.` };
}

/** 10148 for cancelling an order that is already done; real text `… cannot be cancelled, state: Filled.`. */
export function cannotCancel(orderId: number, status: string): TwsErrorMessage {
  return {
    id: orderId,
    code: 10148,
    message: `OrderId ${orderId} that needs to be cancelled cannot be cancelled, state: ${status}.`,
  };
}
