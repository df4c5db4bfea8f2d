import { OutgoingMessageId } from "../protocol/message-ids.js";
import { decodePlaceOrder } from "../protocol/place-order-decoder.js";
import { decodeCancelOrder, decodeGlobalCancel } from "../protocol/order-request-decoders.js";
import { encodeNextValidId } from "../protocol/server-messages.js";
import type { RequestHandler } from "../server/request-handler.js";
import type { OrderHandlerContext } from "./order-handlers.js";

/** PLACE_ORDER, CANCEL_ORDER, REQ_GLOBAL_CANCEL and REQ_IDS. */
export function createOrderEntryHandlers(context: OrderHandlerContext): [number, RequestHandler][] {
  const { engine, accounts } = context;

  const placeOrder: RequestHandler = (request, session) => {
    const order = decodePlaceOrder(request, session.serverVersion);
    if (request.remaining > 0) {
      // Clients that disagree with IB on a conditional block leave fields behind (ibkr-facts.md §2.6 on
      // @stoqey/ib's scale fields); the order's leading fields are still right, so it goes ahead.
      session.logger.warn(
        { sessionId: session.sessionId, orderId: order.orderId, unreadFields: request.remaining },
        "PLACE_ORDER had more fields than its layout",
      );
    }
    engine.place(session, order);
  };

  const cancelOrder: RequestHandler = (request, session) => {
    engine.cancel(session, decodeCancelOrder(request, session.serverVersion).orderId);
  };

  const globalCancel: RequestHandler = (request, session) => {
    decodeGlobalCancel(request, session.serverVersion);
    engine.cancelAll();
  };

  // Replaces the server's REQ_IDS answer in case the server keeps an OrderIdBook of its own (one not shared
  // with the AccountBook): only the AccountBook learns which ids were used, and TWS never hands out an id at
  // or below one already used (ibkr-facts.md §5.2). With one shared book both are the same number.
  const requestIds: RequestHandler = (request, session) => {
    request.readInt(); // version
    request.readInt(); // numIds, ignored by TWS
    const nextId = Math.max(session.nextValidOrderId(), accounts.orderIds.nextValidId(session.clientId));
    session.send(encodeNextValidId(session.serverVersion, nextId));
  };

  return [
    [OutgoingMessageId.PLACE_ORDER, placeOrder],
    [OutgoingMessageId.CANCEL_ORDER, cancelOrder],
    [OutgoingMessageId.REQ_GLOBAL_CANCEL, globalCancel],
    [OutgoingMessageId.REQ_IDS, requestIds],
  ];
}
