import { OutgoingMessageId } from "../protocol/message-ids.js";
import { encodeCurrentTime, encodeManagedAccounts, encodeNextValidId } from "../protocol/server-messages.js";
import type { RequestHandler } from "./request-handler.js";

/** REQ_CURRENT_TIME `[49, 1]` → CURRENT_TIME with the simulator clock in epoch seconds. */
const requestCurrentTime: RequestHandler = (request, session) => {
  request.readInt(); // version
  session.send(encodeCurrentTime(session.serverVersion, Math.floor(session.clock.nowMs() / 1000)));
};

/** REQ_IDS `[8, 1, numIds]` → NEXT_VALID_ID; TWS ignores numIds (ibkr-facts.md §2.5). */
const requestIds: RequestHandler = (request, session) => {
  request.readInt(); // version
  request.readInt(); // numIds
  session.send(encodeNextValidId(session.serverVersion, session.nextValidOrderId()));
};

/** REQ_MANAGED_ACCTS `[17, 1]` → MANAGED_ACCTS (IBApiNext.getManagedAccounts sends it). */
const requestManagedAccounts: RequestHandler = (request, session) => {
  request.readInt(); // version
  session.send(encodeManagedAccounts(session.serverVersion, session.accounts));
};

/** Handlers of the requests about the connection itself: time, order ids, accounts. */
export function createConnectionRequestHandlers(): Map<number, RequestHandler> {
  return new Map<number, RequestHandler>([
    [OutgoingMessageId.REQ_CURRENT_TIME, requestCurrentTime],
    [OutgoingMessageId.REQ_IDS, requestIds],
    [OutgoingMessageId.REQ_MANAGED_ACCTS, requestManagedAccounts],
  ]);
}
