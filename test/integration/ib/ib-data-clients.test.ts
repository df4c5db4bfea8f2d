import { afterEach, describe, expect, it } from "vitest";
import type { IbConnection, IbConnectionOptions } from "../../../src/adapters/ib/ib-connection.js";
import { IbContractClient } from "../../../src/adapters/ib/ib-contract-client.js";
import { IbHistoricalDataClient } from "../../../src/adapters/ib/ib-historical-data-client.js";
import { IbMarketDataClient, type IbTick } from "../../../src/adapters/ib/ib-market-data-client.js";
import { IbRequests } from "../../../src/adapters/ib/ib-requests.js";
import type { GatewayError } from "../../../src/core/errors.js";
import { PacingViolationError } from "../../../src/core/errors.js";
import { SystemScheduler } from "../../../src/core/system-scheduler.js";
import type { HistoricalRequest } from "../../../src/data/historical-request.js";
import type { GatewaySim, GatewaySimOptions } from "../../../src/gateway-sim/gateway-sim.js";
import type { Bar } from "../../../src/model/bar.js";
import {
  connectionTo,
  IN_SESSION_MS,
  LogCapture,
  roundTrip,
  startSim,
  waitForGeneration,
  waitForState,
} from "./ib-test-kit.js";

const SESSION_OPEN = Date.UTC(2024, 0, 2, 14, 30);
const SESSION_CLOSE = Date.UTC(2024, 0, 2, 21, 0);

function oneMinuteDay(conId: number, symbol = "SPY"): HistoricalRequest {
  return {
    symbol,
    conId,
    exchange: "SMART",
    barSizeSetting: "1 min",
    barSeconds: 60,
    durationStr: "23400 S",
    startMs: SESSION_OPEN,
    endMs: SESSION_CLOSE,
    whatToShow: "TRADES",
    useRth: true,
  };
}

describe("IB data clients against gateway-sim", () => {
  const sims: GatewaySim[] = [];
  const connections: IbConnection[] = [];
  afterEach(async () => {
    for (const connection of connections.splice(0)) connection.stop();
    for (const sim of sims.splice(0)) await sim.stop();
  });

  async function setUp(
    options: GatewaySimOptions = {},
    connectionOverrides: Partial<IbConnectionOptions> = {},
  ) {
    const { sim, port } = await startSim({
      clock: { mode: "manual", startMs: Date.UTC(2024, 0, 3, 15) },
      ...options,
    });
    sims.push(sim);
    const logs = new LogCapture();
    const connection = connectionTo(port, logs, {
      reconnectDelayMs: 30_000,
      maxReconnectDelayMs: 30_000,
      ...connectionOverrides,
    });
    connections.push(connection);
    await connection.start();
    const requests = new IbRequests(connection);
    const scheduler = new SystemScheduler();
    return {
      sim,
      logs,
      connection,
      requests,
      contracts: new IbContractClient(requests, scheduler, logs.logger),
      history: new IbHistoricalDataClient(requests, scheduler, logs.logger, 5_000),
      marketData: new IbMarketDataClient(requests, logs.logger),
    };
  }

  it("qualifies a symbol to IB's conId with its trading hours", async () => {
    const { contracts } = await setUp();
    const spy = await contracts.lookup("SPY");
    expect(spy).toMatchObject({ symbol: "SPY", conId: 756733, exchange: "SMART", currency: "USD" });
    expect(spy.timeZoneId).not.toBe("");
    expect(spy.liquidHours).not.toBe("");
  });

  it("names the symbol IB does not know", async () => {
    const { contracts } = await setUp();
    const error = (await contracts.lookup("ZZZZQ").catch((caught: unknown) => caught)) as GatewayError;
    expect(error.code).toBe("CONTRACT_UNKNOWN");
    expect(error.message).toMatch(/^IB knows no US stock "ZZZZQ" on SMART \(IB 200: .*\): check the symbol$/);
  });

  it("fetches a day of 1-minute bars stamped with open and close times", async () => {
    const { history } = await setUp();
    let sentBeforeAnswer = false;
    let sent = false;
    const answer = history.fetchHistory(oneMinuteDay(756733), () => {
      sent = true;
    });
    void answer.then(() => {
      sentBeforeAnswer = sent;
    });
    const bars = await answer;
    expect(sentBeforeAnswer).toBe(true);
    expect(bars).toHaveLength(390);
    expect(bars[0]).toMatchObject({
      symbol: "SPY",
      openTime: SESSION_OPEN,
      closeTime: SESSION_OPEN + 60_000,
    });
    expect(bars.at(-1)?.closeTime).toBe(SESSION_CLOSE);
    for (const bar of bars) expect(bar.high).toBeGreaterThanOrEqual(bar.low);
  });

  it("turns a 162 pacing violation into a PacingViolationError", async () => {
    const { sim, history } = await setUp();
    sim.faults.forcePacingViolations(1);
    const error = await history.fetchHistory(oneMinuteDay(756733)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PacingViolationError);
  });

  it("answers a holiday with no bars instead of an error", async () => {
    const { history } = await setUp();
    const newYearsDay = Date.UTC(2024, 0, 1, 21, 0);
    const bars = await history.fetchHistory({
      ...oneMinuteDay(756733),
      startMs: newYearsDay - 23_400_000,
      endMs: newYearsDay,
    });
    expect(bars).toEqual([]);
  });

  it("ends a subscription when the connection drops, and sends nothing while it is down", async () => {
    const { sim, connection, contracts, marketData, history } = await setUp({ liveData: true });
    const spy = await contracts.lookup("SPY");
    const ended = new Promise<GatewayError>((resolve) => {
      marketData.realTimeBars(spy, true, () => undefined, resolve);
    });
    await roundTrip(connection);
    await sim.faults.dropAllConnections();
    expect((await ended).code).toBe("GATEWAY_DISCONNECTED");
    await waitForState(connection, (state) => state.status === "waiting-to-reconnect");
    const refused = (await history
      .fetchHistory(oneMinuteDay(756733))
      .catch((caught: unknown) => caught)) as GatewayError;
    expect(refused.code).toBe("GATEWAY_DISCONNECTED");
    expect(refused.message).toContain("the request was not sent");
  });

  it("drops requests still queued for the message rate when the session ends: none opens a line on the next one", async () => {
    // 10 market data lines, 10 messages a second (one per 100 ms): 20 subscriptions queue for about 2 s.
    const { sim, logs, connection, contracts, marketData } = await setUp(
      { liveData: true, maxMarketDataLines: 10, clock: { mode: "manual", startMs: IN_SESSION_MS } },
      { reconnectDelayMs: 50, maxReconnectDelayMs: 50, maxRequestsPerSecond: 10 },
    );
    const spy = await contracts.lookup("SPY");
    const sentBeforeDrop: number[] = [];
    for (let i = 0; i < 20; i++) {
      marketData.realTimeBars(
        spy,
        true,
        () => undefined,
        () => undefined,
        () => sentBeforeDrop.push(i),
      );
    }
    expect(connection.sendQueueDepth).toBeGreaterThan(15);

    // The new session has all ten lines: ten subscriptions made as soon as it is ready (as the feeds do,
    // while the library still holds its commands until NEXT_VALID_ID is handled) each get one.
    const refused: GatewayError[] = [];
    let sent = 0;
    let sentAtOnce = -1;
    const resubscribe = connection.state$.subscribe((state) => {
      if (state.status !== "ready" || state.session.generation !== 2) return;
      for (let i = 0; i < 10; i++) {
        marketData.realTimeBars(
          spy,
          true,
          () => undefined,
          (error) => refused.push(error),
          () => sent++,
        );
      }
      sentAtOnce = sent;
    });
    await sim.faults.dropAllConnections();
    await waitForGeneration(connection, 2);
    resubscribe.unsubscribe();
    const dropped = logs.events("ib.send_queue.dropped");
    expect(dropped).toHaveLength(1);
    expect(dropped[0]?.messages).toBeGreaterThan(15);
    expect(sentBeforeDrop.length).toBeLessThan(5);
    // Not one was reported sent before it had even reached the send queue.
    expect(sentAtOnce).toBe(0);
    await expect.poll(() => sent, { timeout: 5_000 }).toBe(10);
    await roundTrip(connection);
    expect(refused).toEqual([]);
    // and the eleventh is refused: the lines really are all taken.
    const eleventh = await new Promise<GatewayError>((resolve) => {
      marketData.realTimeBars(spy, true, () => undefined, resolve);
    });
    expect(eleventh.ibCode).toBe(101);
    expect(sentBeforeDrop.length).toBeLessThan(5);
  });

  it("streams 5-second real-time bars when the account has live data", async () => {
    const { sim, connection, contracts, marketData } = await setUp({
      liveData: true,
      clock: { mode: "manual", startMs: IN_SESSION_MS - (IN_SESSION_MS % 5_000) },
    });
    const spy = await contracts.lookup("SPY");
    const bars: Bar[] = [];
    const ended: GatewayError[] = [];
    const subscription = marketData.realTimeBars(
      spy,
      true,
      (bar) => bars.push(bar),
      (error) => ended.push(error),
    );
    await roundTrip(connection);
    const start = sim.clock.nowMs();
    sim.scheduler.advanceTo(start + 15_000);
    await expect.poll(() => bars.length).toBe(3);
    subscription.stop();
    expect(bars.map((bar) => bar.closeTime - bar.openTime)).toEqual([5_000, 5_000, 5_000]);
    expect(bars[1]!.openTime - bars[0]!.openTime).toBe(5_000);
    expect(ended).toEqual([]);
  });

  it("is refused real-time bars without a live subscription (IB 420), and gets delayed ticks instead", async () => {
    const { sim, connection, contracts, marketData } = await setUp({
      liveData: false,
      clock: { mode: "manual", startMs: IN_SESSION_MS },
    });
    const spy = await contracts.lookup("SPY");
    const refused = await new Promise<GatewayError>((resolve) => {
      marketData.realTimeBars(spy, true, () => undefined, resolve);
    });
    expect(refused.ibCode).toBe(420);
    const ticks: IbTick[] = [];
    const types: number[] = [];
    const subscription = marketData.ticks(
      spy,
      3,
      (tick) => ticks.push(tick),
      (type) => types.push(type),
      () => undefined,
    );
    await roundTrip(connection);
    sim.scheduler.advanceTo(sim.clock.nowMs() + 10_000);
    await expect.poll(() => ticks.some((tick) => tick.kind === "last")).toBe(true);
    subscription.stop();
    expect(types).toContain(3);
    expect(ticks.every((tick) => tick.delayed)).toBe(true);
  });
});
