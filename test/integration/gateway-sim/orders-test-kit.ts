import { EventName, type IBApi } from "@stoqey/ib";
import {
  BUILT_IN_INSTRUMENTS,
  InstrumentUniverse,
} from "../../../src/gateway-sim/market/instrument-universe.js";
import { MarketModel, type MarketQuote } from "../../../src/gateway-sim/market/market-model.js";
import { SimClock } from "../../../src/gateway-sim/market/sim-clock.js";
import { SimScheduler } from "../../../src/gateway-sim/market/sim-scheduler.js";
import { AccountBook } from "../../../src/gateway-sim/orders/account-book.js";
import { createOrderSimulator, type OrderSimulator } from "../../../src/gateway-sim/orders/order-handlers.js";
import type { OrderSimOptions } from "../../../src/gateway-sim/orders/order-sim-options.js";
import { GatewaySimHarness, SIM_START_MS } from "./gateway-sim-harness.js";
import { waitForCurrentTime, waitForNextValidId } from "./ib-api-events.js";
import { waitFor } from "./wait-for.js";

/** The paper account every order test trades in. */
export const ACCOUNT = "DU1234567";
/** First order id the simulator hands out. */
export const FIRST_ORDER_ID = 1000;
/** Seed of the market model: every quote in these tests is a pure function of it. */
export const MARKET_SEED = 42;

/** Test settings of an OrderSimHarness. */
export interface OrderSimHarnessOptions {
  readonly serverVersion: number;
  readonly orders?: OrderSimOptions;
  readonly startMs?: number;
  readonly accounts?: readonly string[];
}

/**
 * A gateway simulator with the order simulator installed, on a manual SimClock driven by the test
 * (advance the scheduler; nothing moves by itself), plus helpers to read the model's quotes.
 */
export class OrderSimHarness {
  readonly gateway: GatewaySimHarness;
  readonly clock: SimClock;
  readonly scheduler: SimScheduler;
  readonly model: MarketModel;
  readonly book: AccountBook;
  readonly simulator: OrderSimulator;

  private constructor(parts: {
    gateway: GatewaySimHarness;
    clock: SimClock;
    scheduler: SimScheduler;
    model: MarketModel;
    book: AccountBook;
    simulator: OrderSimulator;
  }) {
    this.gateway = parts.gateway;
    this.clock = parts.clock;
    this.scheduler = parts.scheduler;
    this.model = parts.model;
    this.book = parts.book;
    this.simulator = parts.simulator;
  }

  /** Starts a simulator negotiating at most `serverVersion`, its clock at `startMs` (default SIM_START_MS). */
  static async start(options: OrderSimHarnessOptions): Promise<OrderSimHarness> {
    const startMs = options.startMs ?? SIM_START_MS;
    const clock = new SimClock({ mode: "manual", startMs });
    const scheduler = new SimScheduler(clock);
    const book = new AccountBook({ firstOrderId: FIRST_ORDER_ID });
    const model = new MarketModel({ seed: MARKET_SEED });
    const simulator = createOrderSimulator({
      universe: new InstrumentUniverse(BUILT_IN_INSTRUMENTS),
      model,
      scheduler,
      accounts: book,
      ...(options.orders === undefined ? {} : { options: options.orders }),
    });
    const gateway = await GatewaySimHarness.start({
      maxServerVersion: options.serverVersion,
      accounts: options.accounts ?? [ACCOUNT],
      orderIds: book.orderIds,
      requestHandlers: simulator.handlers,
      sessionStartListeners: [simulator.sessionStarted],
    });
    gateway.clock.setMs(startMs);
    return new OrderSimHarness({ gateway, clock, scheduler, model, book, simulator });
  }

  /** The simulated time. */
  nowMs(): number {
    return this.clock.nowMs();
  }

  /** The model's quote of `symbol` now, or at `timeMs`. */
  quote(symbol: string, timeMs = this.nowMs()): MarketQuote {
    return this.model.quote(symbol, timeMs);
  }

  /** Runs simulated time to `timeMs` (every scheduled check on the way) and keeps the server clock in step. */
  advanceTo(timeMs: number): void {
    this.scheduler.advanceTo(timeMs);
    this.gateway.clock.setMs(timeMs);
  }

  /** Runs simulated time forward by `deltaMs`. */
  advanceBy(deltaMs: number): void {
    this.advanceTo(this.nowMs() + deltaMs);
  }

  /** A new IBApi connected as `clientId`, resolved once its first nextValidId has arrived. */
  async connect(name: string, clientId: number): Promise<{ api: IBApi; nextValidId: number }> {
    const api = this.gateway.ibApi(name);
    const nextValidId = waitForNextValidId(api);
    api.connect(clientId);
    return { api, nextValidId: await nextValidId };
  }

  /**
   * Like connect, with an EventRecorder listening from before the connection, so that it also holds what
   * the simulator sends right after the start-up messages (the open orders' statuses of a reconnect).
   */
  async connectRecorded(
    name: string,
    clientId: number,
  ): Promise<{ api: IBApi; events: EventRecorder; nextValidId: number }> {
    const api = this.gateway.ibApi(name);
    const events = new EventRecorder(api);
    const nextValidId = waitForNextValidId(api);
    api.connect(clientId);
    return { api, events, nextValidId: await nextValidId };
  }

  /** Stops the simulator and checks that no client saw a decoding error. */
  async close(): Promise<void> {
    this.scheduler.stop();
    await this.gateway.close();
  }
}

/**
 * Makes sure every message the simulator sent before now has reached `api`: TWS answers requests in
 * order on one socket, so the reply to reqCurrentTime arrives after them.
 */
export async function drain(api: IBApi): Promise<void> {
  const reply = waitForCurrentTime(api);
  api.reqCurrentTime();
  await reply;
}

/** One event an IBApi emitted, with its arguments. */
export interface RecordedEvent {
  readonly name: string;
  readonly args: readonly unknown[];
}

/** The order and account events a recorder listens to. */
export const RECORDED_EVENTS = [
  EventName.openOrder,
  EventName.orderStatus,
  EventName.openOrderEnd,
  EventName.execDetails,
  EventName.execDetailsEnd,
  EventName.commissionReport,
  EventName.completedOrder,
  EventName.completedOrdersEnd,
  EventName.position,
  EventName.positionEnd,
  EventName.accountSummary,
  EventName.accountSummaryEnd,
  EventName.pnl,
  EventName.pnlSingle,
  EventName.updateAccountValue,
  EventName.updatePortfolio,
  EventName.updateAccountTime,
  EventName.accountDownloadEnd,
  EventName.accountUpdateMulti,
  EventName.accountUpdateMultiEnd,
  EventName.error,
  EventName.nextValidId,
] as const;

/** Records, in arrival order, the order and account events of one IBApi. */
export class EventRecorder {
  readonly events: RecordedEvent[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(api: IBApi) {
    // IBApi.on is overloaded per event; one untyped listener serves them all here.
    const emitter = api as unknown as { on(event: string, listener: (...args: unknown[]) => void): unknown };
    for (const name of RECORDED_EVENTS) {
      emitter.on(name, (...args: unknown[]) => {
        this.events.push({ name, args });
        for (const listener of [...this.listeners]) listener();
      });
    }
  }

  /** The recorded events called `name`, or all of them. */
  named(name?: string): RecordedEvent[] {
    return name === undefined ? [...this.events] : this.events.filter((event) => event.name === name);
  }

  /** The names of the recorded events from index `from` on. */
  names(from = 0): string[] {
    return this.events.slice(from).map((event) => event.name);
  }

  /** Forgets what was recorded so far. */
  clear(): void {
    this.events.length = 0;
  }

  /** Resolves once `done` holds for the recorded events; fails after the usual event timeout. */
  until(description: string, done: (events: readonly RecordedEvent[]) => boolean): Promise<void> {
    return waitFor(description, (resolve) => {
      const check = (): void => {
        if (done(this.events)) resolve(undefined);
      };
      this.listeners.add(check);
      check();
      return () => this.listeners.delete(check);
    });
  }

  /** Resolves once at least `count` events called `name` have been recorded. */
  untilCount(name: string, count = 1): Promise<void> {
    return this.until(
      `${count} × ${name}`,
      (events) => events.filter((event) => event.name === name).length >= count,
    );
  }
}
