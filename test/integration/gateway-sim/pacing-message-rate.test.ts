import type { IBApi } from "@stoqey/ib";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { IbEventLog, MarketDataSim } from "./market-data-fixture.js";

/**
 * The session counts client messages in wall time (performance.now). The test fakes that clock so that a
 * burst lands in one instant and later bursts land exactly where the test puts them.
 */
let wallMs = 0;

/** Enough for @stoqey/ib to send a 53-message burst at once (its default limiter sends 40 a second). */
const CLIENT_MAX_REQUESTS_PER_SECOND = 1_000;

function currentTimes(log: IbEventLog): number {
  return log.events.filter((event) => event.type === "currentTime").length;
}

function burst(api: IBApi, count: number): void {
  for (let message = 0; message < count; message++) api.reqCurrentTime();
}

describe.each([176, 193])("client message rate at server version %i", (serverVersion) => {
  let sim: MarketDataSim;

  beforeEach(async () => {
    wallMs = 1_000_000;
    vi.spyOn(performance, "now").mockImplementation(() => wallMs);
    sim = await MarketDataSim.start({ serverVersion });
  });

  afterEach(async () => {
    await sim.close();
    vi.restoreAllMocks();
  });

  it("answers 50 messages sent within one second", async () => {
    const api = await sim.connectedApi("client", 1, CLIENT_MAX_REQUESTS_PER_SECOND);
    const log = new IbEventLog(api);
    burst(api, 50);
    await log.until("50 answers", () => (currentTimes(log) === 50 ? true : undefined));
    wallMs += 1_000;
    await log.roundTrip();
    expect(log.events.filter((event) => event.type === "error")).toEqual([]);
  });

  it("rejects the 51st message within one second with error 100 and keeps the connection", async () => {
    const api = await sim.connectedApi("client", 1, CLIENT_MAX_REQUESTS_PER_SECOND);
    const log = new IbEventLog(api);
    burst(api, 51);
    expect(await log.error(1, 100)).toMatchObject({
      message: "Max rate of messages per second has been exceeded:max=50 rec=51 (1)",
    });
    expect(currentTimes(log)).toBe(50);
    wallMs += 1_000;
    await log.roundTrip();
    expect(currentTimes(log)).toBe(51);
    expect(api.isConnected).toBe(true);
  });

  it("closes the connection when the limit is broken the third time", async () => {
    const api = await sim.connectedApi("client", 1, CLIENT_MAX_REQUESTS_PER_SECOND);
    const log = new IbEventLog(api);
    const released = sim.harness.clientDisconnected(1);
    for (const violation of [1, 2, 3]) {
      burst(api, 51);
      expect((await log.error(violation, 100)).message).toBe(
        `Max rate of messages per second has been exceeded:max=50 rec=51 (${violation})`,
      );
      wallMs += 1_000;
    }
    await log.until("the disconnection", (events) =>
      events.some((event) => event.type === "disconnected") ? true : undefined,
    );
    await released;
    expect(sim.harness.server.connectedClientIds()).toEqual([]);
    expect(currentTimes(log)).toBe(150);
  });
});
