import { EventName, IBApi, SecType, type Contract } from "@stoqey/ib";
import { newYorkLocalToUtcMs } from "../../../src/data/new-york-time.js";
import {
  BUILT_IN_INSTRUMENTS,
  InstrumentUniverse,
} from "../../../src/gateway-sim/market/instrument-universe.js";
import { MarketModel } from "../../../src/gateway-sim/market/market-model.js";
import { SimClock } from "../../../src/gateway-sim/market/sim-clock.js";
import { SimScheduler } from "../../../src/gateway-sim/market/sim-scheduler.js";
import { HistoricalPacingRules } from "../../../src/gateway-sim/market-data/historical-pacing-rules.js";
import { createMarketDataHandlers } from "../../../src/gateway-sim/market-data/market-data-handlers.js";
import type { MarketDataOptions } from "../../../src/gateway-sim/market-data/market-data-options.js";
import { GatewaySimHarness } from "./gateway-sim-harness.js";
import { waitForNextValidId } from "./ib-api-events.js";
import { waitFor } from "./wait-for.js";

/** Tuesday 2024-03-05 10:00:00 New York (15:00 UTC): a regular session is under way. */
export const SESSION_MORNING_MS = newYorkLocalToUtcMs(2024, 3, 5, 10, 0, 0);

/** The seed of every test's market model. */
export const MODEL_SEED = 42;

/** AAPL as a daemon would ask for it. */
export const AAPL: Contract = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };

/** A SMART-routed US stock contract for a built-in symbol. */
export function stock(symbol: string): Contract {
  return { symbol, secType: SecType.STK, exchange: "SMART", currency: "USD" };
}

/** Every built-in symbol, for requests that must differ by contract. */
export const SYMBOLS = BUILT_IN_INSTRUMENTS.map((instrument) => instrument.symbol);

/** How to start a simulator for market data tests. */
export interface MarketDataSimOptions {
  readonly serverVersion: number;
  readonly startMs?: number;
  readonly options?: Omit<MarketDataOptions, "pacing">;
  readonly pacing?: HistoricalPacingRules;
}

/**
 * A gateway simulator with the market data handlers, on a manual SimClock that only the test moves (through
 * the scheduler, so that streams run), plus the model the test compares what clients receive with.
 */
export class MarketDataSim {
  private readonly extraApis: IBApi[] = [];

  private constructor(
    readonly harness: GatewaySimHarness,
    readonly clock: SimClock,
    readonly scheduler: SimScheduler,
    readonly model: MarketModel,
    readonly universe: InstrumentUniverse,
    readonly pacing: HistoricalPacingRules,
  ) {}

  static async start(settings: MarketDataSimOptions): Promise<MarketDataSim> {
    const clock = new SimClock({ mode: "manual", startMs: settings.startMs ?? SESSION_MORNING_MS });
    const scheduler = new SimScheduler(clock);
    const pacing = settings.pacing ?? new HistoricalPacingRules();
    const universe = new InstrumentUniverse(BUILT_IN_INSTRUMENTS);
    const model = new MarketModel({ seed: MODEL_SEED });
    const requestHandlers = createMarketDataHandlers({
      universe,
      model,
      scheduler,
      options: settings.options ?? {},
      historicalPacing: pacing,
    });
    const harness = await GatewaySimHarness.start({
      maxServerVersion: settings.serverVersion,
      requestHandlers,
    });
    return new MarketDataSim(harness, clock, scheduler, model, universe, pacing);
  }

  /** Simulated now. */
  get nowMs(): number {
    return this.clock.nowMs();
  }

  /** Moves simulated time to `timeMs`, running every stream due on the way. */
  advanceTo(timeMs: number): void {
    this.scheduler.advanceTo(timeMs);
  }

  /** An IBApi connected as `clientId`, resolved once it may send requests (nextValidId arrived). */
  async connectedApi(name: string, clientId: number, maxReqPerSec?: number): Promise<IBApi> {
    let api: IBApi;
    if (maxReqPerSec === undefined) {
      api = this.harness.ibApi(name);
    } else {
      api = new IBApi({ host: "127.0.0.1", port: this.harness.port, maxReqPerSec });
      this.harness.errors.watch(api, name);
      this.extraApis.push(api);
    }
    const ready = waitForNextValidId(api);
    api.connect(clientId);
    await ready;
    return api;
  }

  /** Stops the streams, disconnects every client and the simulator, and checks for decoding errors. */
  async close(): Promise<void> {
    this.scheduler.stop();
    for (const api of this.extraApis) api.disconnect();
    await this.harness.close();
  }
}

/** One event an IBApi emitted, reduced to plain values. */
export type IbEvent =
  | { readonly type: "tickPrice"; readonly reqId: number; readonly tickType: number; readonly price: number }
  | {
      readonly type: "tickSize";
      readonly reqId: number;
      readonly tickType: number;
      readonly size: number | undefined;
    }
  | { readonly type: "tickString"; readonly reqId: number; readonly tickType: number; readonly value: string }
  | {
      readonly type: "tickReqParams";
      readonly reqId: number;
      readonly minTick: number;
      readonly bboExchange: string;
      readonly snapshotPermissions: number;
    }
  | { readonly type: "marketDataType"; readonly reqId: number; readonly marketDataType: number }
  | { readonly type: "tickSnapshotEnd"; readonly reqId: number }
  | {
      readonly type: "realtimeBar";
      readonly reqId: number;
      readonly bar: ReceivedBar & { readonly time: number };
    }
  | {
      readonly type: "historicalData";
      readonly reqId: number;
      readonly bar: ReceivedBar & { readonly date: string };
    }
  | {
      readonly type: "historicalDataUpdate";
      readonly reqId: number;
      readonly bar: ReceivedBar & { readonly date: string };
    }
  | { readonly type: "error"; readonly reqId: number; readonly code: number; readonly message: string }
  | { readonly type: "currentTime"; readonly time: number }
  | { readonly type: "disconnected" };

/** A bar as a client received it. */
export interface ReceivedBar {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number | undefined;
  readonly wap: number | undefined;
  readonly count: number | undefined;
}

/** Everything an IBApi emits that market data tests look at, in arrival order, with waits on it. */
export class IbEventLog {
  readonly events: IbEvent[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(private readonly api: IBApi) {
    const push = (event: IbEvent): void => {
      this.events.push(event);
      for (const wake of [...this.waiters]) wake();
    };
    api.on(EventName.tickPrice, (reqId, tickType, price) => {
      push({ type: "tickPrice", reqId, tickType, price });
    });
    api.on(EventName.tickSize, (reqId, tickType, size) => {
      push({ type: "tickSize", reqId, tickType: tickType ?? -1, size });
    });
    api.on(EventName.tickString, (reqId, tickType, value) => {
      push({ type: "tickString", reqId, tickType, value });
    });
    api.on(EventName.tickReqParams, (reqId, minTick, bboExchange, snapshotPermissions) => {
      push({ type: "tickReqParams", reqId, minTick, bboExchange, snapshotPermissions });
    });
    api.on(EventName.marketDataType, (reqId, marketDataType) => {
      push({ type: "marketDataType", reqId, marketDataType });
    });
    api.on(EventName.tickSnapshotEnd, (reqId) => {
      push({ type: "tickSnapshotEnd", reqId });
    });
    api.on(EventName.realtimeBar, (reqId, time, open, high, low, close, volume, wap, count) => {
      push({ type: "realtimeBar", reqId, bar: { time, open, high, low, close, volume, wap, count } });
    });
    api.on(EventName.historicalData, (reqId, date, open, high, low, close, volume, count, wap) => {
      push({ type: "historicalData", reqId, bar: { date, open, high, low, close, volume, wap, count } });
    });
    api.on(EventName.historicalDataUpdate, (reqId, date, open, high, low, close, volume, count, wap) => {
      push({
        type: "historicalDataUpdate",
        reqId,
        bar: { date, open, high, low, close, volume, wap, count },
      });
    });
    api.on(EventName.error, (error: Error, code: number, reqId: number) => {
      push({ type: "error", reqId, code, message: error.message });
    });
    api.on(EventName.currentTime, (time) => {
      push({ type: "currentTime", time });
    });
    api.on(EventName.disconnected, () => {
      push({ type: "disconnected" });
    });
  }

  /** The events of one request so far. */
  of(reqId: number): IbEvent[] {
    return this.events.filter((event) => "reqId" in event && event.reqId === reqId);
  }

  /** Resolves with the first non-undefined value of `select` over the log, checked now and on each event. */
  until<T>(description: string, select: (events: readonly IbEvent[]) => T | undefined): Promise<T> {
    return waitFor(description, (resolve) => {
      const check = (): void => {
        const value = select(this.events);
        if (value !== undefined) resolve(value);
      };
      this.waiters.add(check);
      check();
      return () => this.waiters.delete(check);
    });
  }

  /**
   * Sends reqCurrentTime and waits for its answer. The simulator handles a connection's requests in order
   * and TCP keeps its answers in order, so afterwards every earlier request has been handled and every
   * message sent before the answer has arrived.
   */
  async roundTrip(): Promise<void> {
    const seen = this.events.filter((event) => event.type === "currentTime").length;
    this.api.reqCurrentTime();
    await this.until("the round trip's currentTime", (events) =>
      events.filter((event) => event.type === "currentTime").length > seen ? true : undefined,
    );
  }

  /** The error with `code` for `reqId`, once it has arrived. */
  error(reqId: number, code: number): Promise<Extract<IbEvent, { type: "error" }>> {
    return this.until(`error ${code} for request ${reqId}`, (events) =>
      events.find(
        (event): event is Extract<IbEvent, { type: "error" }> =>
          event.type === "error" && event.reqId === reqId && event.code === code,
      ),
    );
  }

  /**
   * The outcome of a historical request: its bars once stoqey's `finished-…` end marker arrives, or the
   * error the simulator answered instead.
   */
  historical(reqId: number): Promise<HistoricalOutcome> {
    return this.until(`historical data for request ${reqId}`, (events): HistoricalOutcome | undefined => {
      const mine = events.filter((event) => "reqId" in event && event.reqId === reqId);
      const error = mine.find((event) => event.type === "error");
      if (error !== undefined) return { kind: "error", code: error.code, message: error.message };
      const bars = mine.flatMap((event) => (event.type === "historicalData" ? [event.bar] : []));
      const end = bars.find((bar) => bar.date.startsWith("finished"));
      if (end === undefined) return undefined;
      return { kind: "data", bars: bars.filter((bar) => bar !== end), end: end.date };
    });
  }
}

/** What a historical request came back with. */
export type HistoricalOutcome =
  | {
      readonly kind: "data";
      readonly bars: readonly (ReceivedBar & { readonly date: string })[];
      /** stoqey's end marker `finished-<start>-<end>`. */
      readonly end: string;
    }
  | { readonly kind: "error"; readonly code: number; readonly message: string };

/** A bar as the model holds it, in the shape clients receive it (undefined stays undefined, -1 stays -1). */
export function asReceived(bar: {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number;
  count: number;
}): ReceivedBar {
  const { open, high, low, close, volume, wap, count } = bar;
  return { open, high, low, close, volume, wap, count };
}
