// The stopwatch of bench/order-path: timestamps one order collects from bar close to the simulator, taken
// from hooks on objects the bench owns (gateway-sim's logger and AccountBook, the state store, the engine's
// order entry). Simulator and client run in one process, so every timestamp is on one clock.
import type { OrderEntry, TradingEngine } from "../src/app/trading-engine.js";
import type { GatewaySim } from "../src/gateway-sim/gateway-sim.js";
import { OutgoingMessageId } from "../src/gateway-sim/protocol/message-ids.js";
import type { GatewaySimLogger } from "../src/gateway-sim/server/gateway-sim-logger.js";
import type { Bar } from "../src/model/bar.js";
import type { OrderEvent } from "../src/model/order-event.js";
import type { StateStore } from "../src/store/state-store.js";

/** One order's way, in performance.now() milliseconds. */
export interface OrderTimes {
  /** Just before `engine.onBar(bar)`. */
  readonly barMs: number;
  /** The strategy called submit (the routing's risk gate starts). */
  submitStartMs: number;
  /** routing.submit returned: placeOrder has written the order to the socket. */
  submitEndMs: number;
  /** Time spent inside SQLite commits (intent, order id, sent) during submit. */
  storeMs: number;
  orderId: string;
  /** The simulator read the PLACE_ORDER frame and dispatched it (its request log). */
  frameMs: number | undefined;
  /** The simulator decoded and validated the order and added it to its AccountBook. */
  bookedMs: number | undefined;
  /** The fill was journaled and booked in our ledger (OrderFilled). */
  filledMs: number | undefined;
}

/** Percentiles of one series, nearest rank. */
export interface Spread {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** The StateStore calls of the order and fill paths; each is one SQLite transaction (a commit when it writes). */
const TIMED_STORE_METHODS = [
  "sendIntent",
  "atomically",
  "recordIntent",
  "reserveOrderId",
  "markSent",
  "markAcknowledged",
  "markTerminal",
  "recordFill",
  "recordCommission",
  "fill",
] as const;

/**
 * Follows one order at a time from bar close to the simulator's AccountBook and back to our ledger. The bench
 * hands a bar in with `runBar` and waits; orders are never in flight together, so the first PLACE_ORDER
 * frame after a submit is that order's.
 */
export class OrderPathProbe {
  /** Give this to GatewaySim.create: its request log marks when a PLACE_ORDER frame is dispatched. */
  readonly simLogger: GatewaySimLogger;
  /** Warnings the simulator logged (malformed requests, rate breaches): a clean run has none. */
  simWarnings = 0;
  private storeMs = 0;
  private storeDepth = 0;
  private current: OrderTimes | undefined;
  private settle: ((error?: Error) => void) | undefined;

  constructor() {
    this.simLogger = {
      info: () => undefined,
      warn: () => {
        this.simWarnings += 1;
      },
      debug: (fields) => {
        const current = this.current;
        if (fields.messageId !== OutgoingMessageId.PLACE_ORDER || current === undefined) return;
        current.frameMs ??= performance.now();
      },
    };
  }

  /** Marks when the simulator adds one of our orders (matched by orderRef, our order id) to its book. */
  watchSimulator(sim: GatewaySim): void {
    const addOrder = sim.accounts.addOrder.bind(sim.accounts);
    sim.accounts.addOrder = (order) => {
      const current = this.current;
      if (current?.orderId === order.orderRef && current.orderId !== "") {
        current.bookedMs = performance.now();
        this.check();
      }
      addOrder(order);
    };
  }

  /** Adds the time spent in the store's journal calls to a running total. */
  watchStore(store: StateStore): void {
    for (const name of TIMED_STORE_METHODS) {
      const call = store[name].bind(store) as (...args: unknown[]) => unknown;
      // Only the outermost call is timed: `atomically` runs other store calls inside its transaction.
      const timed = (...args: unknown[]): unknown => {
        if (this.storeDepth > 0) return call(...args);
        this.storeDepth += 1;
        const started = performance.now();
        try {
          return call(...args);
        } finally {
          this.storeDepth -= 1;
          this.storeMs += performance.now() - started;
        }
      };
      Object.assign(store, { [name]: timed });
    }
  }

  /** The engine's way into `routing`, timing each submit and the SQLite time inside it. */
  entry(routing: OrderEntry): OrderEntry {
    return {
      submit: (request) => {
        const current = this.current;
        const started = performance.now();
        const storeBefore = this.storeMs;
        const orderId = routing.submit(request);
        if (current !== undefined) {
          current.submitStartMs = started;
          current.submitEndMs = performance.now();
          current.storeMs = this.storeMs - storeBefore;
          current.orderId = orderId;
        }
        return orderId;
      },
    };
  }

  /** Give every routing event here: the fill (or end) of the order in flight settles it. */
  onEvent(event: OrderEvent): void {
    const current = this.current;
    if (current?.orderId !== event.order.orderId) return;
    if (event.type === "OrderFilled") {
      current.filledMs = performance.now();
      this.check();
    } else if (event.type !== "OrderAccepted") {
      const reason = "reason" in event ? event.reason : "";
      this.settle?.(new Error(`order ${current.orderId} ended ${event.type}: ${reason}`));
    }
  }

  /**
   * Hands `bar` to `engine`; when the strategy submitted an order, waits until the simulator has booked it
   * and our ledger its fill. Resolves with the order's times, or undefined for a bar without an order.
   */
  async runBar(engine: TradingEngine, bar: Bar, timeoutMs: number): Promise<OrderTimes | undefined> {
    const times: OrderTimes = {
      barMs: performance.now(),
      submitStartMs: Number.NaN,
      submitEndMs: Number.NaN,
      storeMs: 0,
      orderId: "",
      frameMs: undefined,
      bookedMs: undefined,
      filledMs: undefined,
    };
    this.current = times;
    try {
      engine.onBar(bar);
      if (times.orderId === "") return undefined;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `order ${times.orderId} not ${times.bookedMs === undefined ? "seen by the simulator" : "filled"} ` +
                `within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        this.settle = (error) => {
          clearTimeout(timer);
          if (error === undefined) resolve();
          else reject(error);
        };
        this.check();
      });
      return times;
    } finally {
      this.current = undefined;
      this.settle = undefined;
    }
  }

  private check(): void {
    const current = this.current;
    if (current?.bookedMs !== undefined && current.filledMs !== undefined) this.settle?.();
  }
}
