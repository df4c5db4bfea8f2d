import type { InstrumentUniverse } from "../market/instrument-universe.js";
import type { MarketModel } from "../market/market-model.js";
import type { SimScheduler } from "../market/sim-scheduler.js";
import type { RequestHandler, SessionContext, SessionStartListener } from "../server/request-handler.js";
import type { AccountBook } from "./account-book.js";
import { createAccountHandlers } from "./account-handlers.js";
import { AccountSubscriptions } from "./account-subscriptions.js";
import { AccountValuer } from "./account-valuation.js";
import { OrderEngine } from "./order-engine.js";
import { createOrderEntryHandlers } from "./order-entry-handlers.js";
import type { OrderFaults } from "./order-faults.js";
import { createOrderQueryHandlers } from "./order-query-handlers.js";
import { orderStatusFrame } from "./order-reports.js";
import { resolveOrderSimOptions, type OrderSimOptions } from "./order-sim-options.js";
import { SessionHub } from "./session-hub.js";
import { isOpen } from "./sim-order.js";

/** What the order simulator needs: the market it fills against, simulated time, and the shared accounts. */
export interface OrderHandlerDeps {
  readonly universe: InstrumentUniverse;
  readonly model: MarketModel;
  readonly scheduler: SimScheduler;
  readonly accounts: AccountBook;
  readonly options?: OrderSimOptions;
}

/** The parts every order and account handler shares. */
export interface OrderHandlerContext {
  readonly universe: InstrumentUniverse;
  readonly accounts: AccountBook;
  readonly engine: OrderEngine;
  readonly subscriptions: AccountSubscriptions;
  readonly scheduler: SimScheduler;
  /** Registers the session with the simulator if sessionStarted has not (a server without the hook). */
  readonly attach: (session: SessionContext) => void;
}

/** The order simulator: its request handlers, its fault hooks, and the hook for new sessions. */
export interface OrderSimulator {
  readonly handlers: Map<number, RequestHandler>;
  readonly faults: OrderFaults;
  /**
   * Announces a session: remembers it so that its orders' events reach it, and re-sends ORDER_STATUS for
   * each open order of its client id, as TWS does after a reconnect (ibkr-facts.md §1.5, §5.4). Give it
   * to GatewaySimServer as a session start listener, together with the AccountBook's `orderIds` as the
   * server's `orderIds`, so that the replay follows the start-up messages and NEXT_VALID_ID lies above
   * every id the client used. A server without the hook still works: the session is then announced on
   * its first order or account request, and the replay arrives just before that request's answer.
   */
  readonly sessionStarted: SessionStartListener;
}

/** Builds the order simulator over `deps`; the AccountBook may be shared with other simulator instances. */
export function createOrderSimulator(deps: OrderHandlerDeps): OrderSimulator {
  const options = resolveOrderSimOptions(deps.options);
  const sessions = new SessionHub();
  const valuer = new AccountValuer(deps.model);
  const engine = new OrderEngine({
    universe: deps.universe,
    model: deps.model,
    scheduler: deps.scheduler,
    accounts: deps.accounts,
    valuer,
    sessions,
    options,
  });
  const subscriptions = new AccountSubscriptions(deps.accounts, valuer, deps.scheduler);
  engine.onAccountChanged((change) => {
    subscriptions.accountChanged(change);
  });

  const sessionStarted = (session: SessionContext): void => {
    if (!sessions.attach(session)) return;
    for (const order of deps.accounts.openOrders()) {
      if (order.clientId === session.clientId && isOpen(order)) {
        session.send(orderStatusFrame(session.serverVersion, order));
      }
    }
  };
  const context: OrderHandlerContext = {
    universe: deps.universe,
    accounts: deps.accounts,
    engine,
    subscriptions,
    scheduler: deps.scheduler,
    attach: sessionStarted,
  };
  const handlers = new Map<number, RequestHandler>();
  for (const [messageId, handler] of [
    ...createOrderEntryHandlers(context),
    ...createOrderQueryHandlers(context),
    ...createAccountHandlers(context),
  ]) {
    handlers.set(messageId, (request, session) => {
      sessionStarted(session);
      handler(request, session);
    });
  }
  return { handlers, faults: options.faults, sessionStarted };
}

/**
 * The request handlers of orders, executions, positions and account data (PLACE_ORDER, CANCEL_ORDER,
 * REQ_IDS, open/all/auto/completed orders, executions, positions, account summary, PnL, account updates),
 * to pass to GatewaySimServer as `requestHandlers`.
 */
export function createOrderHandlers(deps: OrderHandlerDeps): Map<number, RequestHandler> {
  return createOrderSimulator(deps).handlers;
}
