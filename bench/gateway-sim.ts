// Gateway simulator throughput and order latency: `node dist/bench/gateway-sim.js [--instruments 100]
// [--speed 600] [--seconds 10] [--orders 1000]`. The simulator runs in a child process (so its CPU time is
// its own); the parent is a real @stoqey/ib IBApi client over loopback.
import { fork, type ChildProcess } from "node:child_process";
import { EventName, IBApi, OrderAction, OrderType, SecType, WhatToShow, type Contract } from "@stoqey/ib";
import { GatewaySim } from "../src/gateway-sim/gateway-sim.js";

/** 2024-01-02 09:30 New York: the session open the streaming bench starts from. */
const SESSION_OPEN_MS = Date.UTC(2024, 0, 2, 14, 30);
/** 2024-01-02 10:30 New York: where the order bench parks its manual clock, inside the session. */
const SESSION_PARKED_MS = Date.UTC(2024, 0, 2, 15, 30);
/** @stoqey/ib sends at most 4 messages per 100 ms by default (40/s); one order per 26 ms never waits in its queue. */
const ORDER_SPACING_MS = 26;
const WARM_UP_ORDERS = 20;
const SEED = 1;

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** Messages between the bench and its simulator child. */
type ToChild = { readonly type: "cpu-start" } | { readonly type: "cpu-stop" } | { readonly type: "stop" };
type FromChild =
  | { readonly type: "listening"; readonly port: number }
  | { readonly type: "cpu"; readonly cpuMs: number; readonly wallMs: number; readonly rssMiB: number };

/** The child: one simulator, as the bench's arguments say, reporting its CPU time on request. */
async function runSimulatorChild(): Promise<void> {
  const mode = argument("--clock", "accelerated");
  const instruments = Number(argument("--instruments", "100"));
  const sim = GatewaySim.create({
    clock:
      mode === "manual"
        ? { mode: "manual", startMs: SESSION_PARKED_MS }
        : { mode: "accelerated", speed: Number(argument("--speed", "600")), startMs: SESSION_OPEN_MS },
    seed: SEED,
    syntheticInstruments: instruments,
    liveData: true,
    maxMarketDataLines: 2 * instruments + 10,
  });
  const { port } = await sim.start();
  let cpuStart = process.cpuUsage();
  let wallStart = performance.now();
  const send = (message: FromChild): void => {
    process.send?.(message);
  };
  process.on("message", (message: ToChild) => {
    switch (message.type) {
      case "cpu-start":
        cpuStart = process.cpuUsage();
        wallStart = performance.now();
        return;
      case "cpu-stop": {
        const used = process.cpuUsage(cpuStart);
        send({
          type: "cpu",
          cpuMs: (used.user + used.system) / 1000,
          wallMs: performance.now() - wallStart,
          rssMiB: process.memoryUsage().rss / 1024 / 1024,
        });
        return;
      }
      case "stop":
        void sim.stop().then(() => {
          process.disconnect();
        });
        return;
    }
  });
  send({ type: "listening", port });
}

/** A simulator child process and a way to ask it things. */
class SimulatorChild {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(args: string[]): Promise<SimulatorChild> {
    const child = fork(process.argv[1] ?? "", ["--child", "simulator", ...args], { stdio: "inherit" });
    const port = await new Promise<number>((resolve, reject) => {
      child.once("message", (message: FromChild) => {
        if (message.type === "listening") resolve(message.port);
      });
      child.once("exit", (code) => {
        reject(new Error(`simulator child exited with ${code}`));
      });
    });
    return new SimulatorChild(child, port);
  }

  send(message: ToChild): void {
    this.child.send(message);
  }

  async cpu(): Promise<Extract<FromChild, { type: "cpu" }>> {
    const reply = new Promise<Extract<FromChild, { type: "cpu" }>>((resolve) => {
      const listener = (message: FromChild): void => {
        if (message.type !== "cpu") return;
        this.child.off("message", listener);
        resolve(message);
      };
      this.child.on("message", listener);
    });
    this.send({ type: "cpu-stop" });
    return await reply;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.send({ type: "stop" });
    await exited;
  }
}

/** An IBApi connected as client 1, resolved with its first nextValidId once it may send requests. */
async function connectedApi(port: number): Promise<{ api: IBApi; nextValidId: number }> {
  const api = new IBApi({ host: "127.0.0.1", port });
  const ready = new Promise<number>((resolve) => {
    api.once(EventName.nextValidId, resolve);
  });
  api.connect(1);
  return { api, nextValidId: await ready };
}

function stock(symbol: string): Contract {
  return { symbol, secType: SecType.STK, exchange: "SMART", currency: "USD" };
}

interface StreamFigures {
  readonly seconds: number;
  readonly tickPrice: number;
  readonly tickSize: number;
  readonly realtimeBar: number;
  /** tickSize events @stoqey/ib makes up from a TICK_PRICE's size field (not wire messages). */
  readonly syntheticTickSize: number;
  readonly serverCpuShare: number;
  readonly clientCpuShare: number;
  readonly serverRssMiB: number;
}

/** (a) What one client receives with top of book and real-time bars for every instrument. */
async function measureStreaming(instruments: number, speed: number, seconds: number): Promise<StreamFigures> {
  const child = await SimulatorChild.start([
    "--clock",
    "accelerated",
    "--speed",
    String(speed),
    "--instruments",
    String(instruments),
  ]);
  const { api } = await connectedApi(child.port);
  const counts = { tickPrice: 0, tickSize: 0, realtimeBar: 0, syntheticTickSize: 0 };
  let errors = 0;
  api.on(EventName.error, () => (errors += 1));
  api.on(EventName.tickPrice, (_reqId: number, tickType: number) => {
    counts.tickPrice += 1;
    if (tickType === 2 || tickType === 4) counts.syntheticTickSize += 1;
  });
  api.on(EventName.tickSize, () => (counts.tickSize += 1));
  api.on(EventName.realtimeBar, () => (counts.realtimeBar += 1));

  // 2 × instruments requests at stoqey's 40/s: the window starts once the simulator has handled them all.
  for (let index = 1; index <= instruments; index++) {
    const contract = stock(`SIM${String(index).padStart(3, "0")}`);
    api.reqMktData(index, contract, "", false, false);
    api.reqRealTimeBars(100_000 + index, contract, 5, WhatToShow.TRADES, true);
  }
  const subscribed = new Promise<void>((resolve) => {
    api.once(EventName.currentTime, () => {
      resolve();
    });
  });
  api.reqCurrentTime();
  await subscribed;
  if (errors > 0) throw new Error(`${errors} request(s) were refused while subscribing`);

  const before = { ...counts };
  const clientCpuStart = process.cpuUsage();
  child.send({ type: "cpu-start" });
  const startedAt = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - startedAt) / 1000;
  const serverCpu = await child.cpu();
  const clientCpu = process.cpuUsage(clientCpuStart);
  const after = { ...counts };
  api.disconnect();
  await child.stop();
  return {
    seconds: elapsed,
    tickPrice: after.tickPrice - before.tickPrice,
    tickSize: after.tickSize - before.tickSize,
    realtimeBar: after.realtimeBar - before.realtimeBar,
    syntheticTickSize: after.syntheticTickSize - before.syntheticTickSize,
    serverCpuShare: serverCpu.cpuMs / serverCpu.wallMs,
    clientCpuShare: (clientCpu.user + clientCpu.system) / 1000 / (elapsed * 1000),
    serverRssMiB: serverCpu.rssMiB,
  };
}

interface RoundTripFigures {
  readonly orders: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** (b) placeOrder → execDetails of market orders during a session (manual clock parked at 10:30 New York). */
async function measureRoundTrips(orders: number): Promise<RoundTripFigures> {
  const child = await SimulatorChild.start(["--clock", "manual", "--instruments", "0"]);
  const { api, nextValidId: nextId } = await connectedApi(child.port);
  const waiting = new Map<number, () => void>();
  api.on(EventName.execDetails, (_reqId: number, _contract: Contract, execution: { orderId?: number }) => {
    const done = waiting.get(execution.orderId ?? -1);
    waiting.delete(execution.orderId ?? -1);
    done?.();
  });
  const spy = stock("SPY");
  const timings: number[] = [];
  let lastSentAt = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < WARM_UP_ORDERS + orders; index++) {
    const wait = lastSentAt + ORDER_SPACING_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const orderId = nextId + index;
    const executed = new Promise<void>((resolve) => waiting.set(orderId, resolve));
    lastSentAt = performance.now();
    api.placeOrder(orderId, spy, {
      action: index % 2 === 0 ? OrderAction.BUY : OrderAction.SELL,
      orderType: OrderType.MKT,
      totalQuantity: 1,
      transmit: true,
    });
    await executed;
    if (index >= WARM_UP_ORDERS) timings.push(performance.now() - lastSentAt);
  }
  api.disconnect();
  await child.stop();
  timings.sort((a, b) => a - b);
  const at = (fraction: number): number =>
    timings[Math.min(timings.length - 1, Math.ceil(fraction * timings.length) - 1)] ?? 0;
  return {
    orders: timings.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: timings[timings.length - 1] ?? 0,
    meanMs: timings.reduce((sum, value) => sum + value, 0) / Math.max(1, timings.length),
  };
}

async function main(): Promise<void> {
  if (argument("--child", "") === "simulator") {
    await runSimulatorChild();
    return;
  }
  const instruments = Number(argument("--instruments", "100"));
  const speed = Number(argument("--speed", "600"));
  const seconds = Number(argument("--seconds", "10"));
  const orders = Number(argument("--orders", "1000"));

  const stream = await measureStreaming(instruments, speed, seconds);
  const events = stream.tickPrice + stream.tickSize + stream.realtimeBar;
  const wire = events - stream.syntheticTickSize;
  const trips = await measureRoundTrips(orders);

  const rows: [string, string][] = [
    [
      `(a) streaming: ${instruments} instruments, reqMktData + reqRealTimeBars each, x${speed}`,
      `${stream.seconds.toFixed(1)} s window`,
    ],
    ["    events received (tickPrice + tickSize + realtimeBar)", `${rate(events, stream.seconds)} /s`],
    ["    wire messages (without stoqey's synthetic tickSize)", `${rate(wire, stream.seconds)} /s`],
    [
      "    by event",
      `tickPrice ${rate(stream.tickPrice, stream.seconds)}/s, tickSize ${rate(stream.tickSize, stream.seconds)}/s, realtimeBar ${rate(stream.realtimeBar, stream.seconds)}/s`,
    ],
    ["    simulator CPU (share of one core)", `${(stream.serverCpuShare * 100).toFixed(0)} %`],
    ["    client (IBApi) CPU (share of one core)", `${(stream.clientCpuShare * 100).toFixed(0)} %`],
    ["    simulator RSS at the end", `${stream.serverRssMiB.toFixed(0)} MiB`],
    [`(b) placeOrder -> execDetails, MKT, ${trips.orders} orders, loopback`, ""],
    ["    p50 / p99", `${trips.p50Ms.toFixed(2)} ms / ${trips.p99Ms.toFixed(2)} ms`],
    ["    mean / max", `${trips.meanMs.toFixed(2)} ms / ${trips.maxMs.toFixed(2)} ms`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(`bench/gateway-sim (node ${process.version})\n`);
  for (const [name, value] of rows) process.stdout.write(`  ${name.padEnd(width)}  ${value}\n`);
}

function rate(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString("en-US");
}

await main();
