import { AccountMultiMessageId } from "../protocol/account-messages.js";
import { OutgoingMessageId } from "../protocol/message-ids.js";
import type { RequestHandler, SessionContext } from "../server/request-handler.js";
import { invalidRequest } from "./order-errors.js";
import type { OrderHandlerContext } from "./order-handlers.js";

/**
 * REQ_POSITIONS/CANCEL_POSITIONS, REQ_ACCOUNT_SUMMARY/CANCEL, REQ_PNL/CANCEL, REQ_PNL_SINGLE/CANCEL,
 * REQ_ACCOUNT_DATA (reqAccountUpdates) and REQ_ACCOUNT_UPDATES_MULTI/CANCEL (ibkr-facts.md §2.5; the
 * multi pair from IB's EClient), answered from the AccountBook marked to the market model.
 */
export function createAccountHandlers(context: OrderHandlerContext): [number, RequestHandler][] {
  const { subscriptions, universe } = context;

  /** The account a request names, "" meaning the first managed one; undefined when not managed. */
  const accountOf = (session: SessionContext, requested: string): string | undefined => {
    const account = requested.trim() === "" ? session.accounts[0] : requested.trim();
    return account !== undefined && session.accounts.includes(account) ? account : undefined;
  };
  const unknownAccount = (session: SessionContext, reqId: number, requested: string): void => {
    session.sendError(
      invalidRequest(reqId, `account ${JSON.stringify(requested)} is not managed by this session`),
    );
  };

  const requestPositions: RequestHandler = (request, session) => {
    request.readInt(); // version
    subscriptions.requestPositions(session);
  };
  const cancelPositions: RequestHandler = (request, session) => {
    request.readInt(); // version
    subscriptions.cancelPositions(session);
  };

  const requestAccountSummary: RequestHandler = (request, session) => {
    request.readInt(); // version
    const reqId = request.readInt();
    request.readString(); // group: "All" (or an FA group); every managed account is reported
    subscriptions.requestAccountSummary(session, reqId, request.readString());
  };
  const cancelAccountSummary: RequestHandler = (request, session) => {
    request.readInt(); // version
    subscriptions.cancelAccountSummary(session, request.readInt());
  };

  const requestPnl: RequestHandler = (request, session) => {
    const reqId = request.readInt();
    const requested = request.readString();
    request.readString(); // modelCode
    const account = accountOf(session, requested);
    if (account === undefined) unknownAccount(session, reqId, requested);
    else subscriptions.requestPnl(session, reqId, account);
  };
  const requestPnlSingle: RequestHandler = (request, session) => {
    const reqId = request.readInt();
    const requested = request.readString();
    request.readString(); // modelCode
    const conId = request.readInt();
    const account = accountOf(session, requested);
    if (account === undefined) unknownAccount(session, reqId, requested);
    else if (universe.lookupConId(conId) === undefined) {
      session.sendError(invalidRequest(reqId, `contract id ${conId} is not known`));
    } else subscriptions.requestPnlSingle(session, reqId, account, conId);
  };
  const cancelPnl: RequestHandler = (request, session) => {
    subscriptions.cancelPnl(session, request.readInt());
  };

  const requestAccountUpdates: RequestHandler = (request, session) => {
    request.readInt(); // version
    const subscribe = request.readBool();
    const requested = request.readString();
    const account = accountOf(session, requested);
    if (account === undefined) unknownAccount(session, -1, requested);
    else subscriptions.requestAccountUpdates(session, subscribe, account);
  };

  const requestAccountUpdatesMulti: RequestHandler = (request, session) => {
    request.readInt(); // version
    const reqId = request.readInt();
    const requested = request.readString();
    const modelCode = request.readString();
    const ledgerAndNlv = request.readBool();
    const account = accountOf(session, requested);
    if (account === undefined) unknownAccount(session, reqId, requested);
    else subscriptions.requestAccountUpdatesMulti(session, reqId, account, modelCode, ledgerAndNlv);
  };
  const cancelAccountUpdatesMulti: RequestHandler = (request, session) => {
    request.readInt(); // version
    subscriptions.cancelAccountUpdatesMulti(session, request.readInt());
  };

  return [
    [OutgoingMessageId.REQ_POSITIONS, requestPositions],
    [OutgoingMessageId.CANCEL_POSITIONS, cancelPositions],
    [OutgoingMessageId.REQ_ACCOUNT_SUMMARY, requestAccountSummary],
    [OutgoingMessageId.CANCEL_ACCOUNT_SUMMARY, cancelAccountSummary],
    [OutgoingMessageId.REQ_PNL, requestPnl],
    [OutgoingMessageId.CANCEL_PNL, cancelPnl],
    [OutgoingMessageId.REQ_PNL_SINGLE, requestPnlSingle],
    [OutgoingMessageId.CANCEL_PNL_SINGLE, cancelPnl],
    [OutgoingMessageId.REQ_ACCOUNT_DATA, requestAccountUpdates],
    [AccountMultiMessageId.REQ_ACCOUNT_UPDATES_MULTI, requestAccountUpdatesMulti],
    [AccountMultiMessageId.CANCEL_ACCOUNT_UPDATES_MULTI, cancelAccountUpdatesMulti],
  ];
}
