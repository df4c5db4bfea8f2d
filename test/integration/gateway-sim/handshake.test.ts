import { ConnectionState, LogLevel, type IBApi } from "@stoqey/ib";
import { filter, firstValueFrom, timeout } from "rxjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewaySimHarness, SIM_START_MS, type NextLogRecord } from "./gateway-sim-harness.js";
import {
  waitForCurrentTime,
  waitForDisconnected,
  waitForInfo,
  waitForManagedAccounts,
  waitForNextValidId,
  waitForServerVersion,
} from "./ib-api-events.js";
import { EVENT_TIMEOUT_MS } from "./wait-for.js";

const ACCOUNTS = ["DU1234567", "DU7654321"];
const FIRST_ORDER_ID = 1000;
const FARM_STATUS = [
  [2104, "Market data farm connection is OK:usfarm"],
  [2106, "HMDS data farm connection is OK:ushmds"],
  [2158, "Sec-def data farm connection is OK:secdefil"],
] as const;

/** Connects `api` as `clientId` and resolves once the start-up sequence has arrived. */
async function connectAndStart(api: IBApi, clientId: number) {
  const server = waitForServerVersion(api);
  const accounts = waitForManagedAccounts(api);
  const nextValidId = waitForNextValidId(api);
  const farms = Promise.all(FARM_STATUS.map(([code]) => waitForInfo(api, code)));
  api.connect(clientId);
  return {
    server: await server,
    accounts: await accounts,
    nextValidId: await nextValidId,
    farmMessages: await farms,
  };
}

describe.each([193, 176])("gateway-sim handshake with @stoqey/ib at server version %i", (serverVersion) => {
  let harness: GatewaySimHarness;

  beforeEach(async () => {
    harness = await GatewaySimHarness.start({
      maxServerVersion: serverVersion,
      accounts: ACCOUNTS,
      firstOrderId: FIRST_ORDER_ID,
    });
  });

  afterEach(async () => {
    await harness.close();
  });

  it("negotiates the server version and reports the injected clock as connection time", async () => {
    const api = harness.ibApi("client 1");
    const started = await connectAndStart(api, 1);
    expect(started.server).toEqual({ version: serverVersion, connectionTime: "20240102 15:04:05 UTC" });
    expect(api.serverVersion).toBe(serverVersion);
  });

  it("sends managed accounts, the next valid id and the farm status after START_API", async () => {
    const started = await connectAndStart(harness.ibApi("client 1"), 1);
    expect(started.accounts).toBe("DU1234567,DU7654321");
    expect(started.nextValidId).toBe(FIRST_ORDER_ID);
    expect(started.farmMessages).toEqual(FARM_STATUS.map(([, text]) => text));
    expect(harness.server.connectedClientIds()).toEqual([1]);
  });

  it("answers reqCurrentTime with the injected clock in epoch seconds", async () => {
    const api = harness.ibApi("client 1");
    await connectAndStart(api, 1);
    const first = waitForCurrentTime(api);
    api.reqCurrentTime();
    expect(await first).toBe(Math.floor(SIM_START_MS / 1000));
    harness.clock.advanceMs(90_000);
    const second = waitForCurrentTime(api);
    api.reqCurrentTime();
    expect(await second).toBe(Math.floor(SIM_START_MS / 1000) + 90);
  });

  it("answers reqIds with the client's next valid order id", async () => {
    const api = harness.ibApi("client 1");
    await connectAndStart(api, 1);
    const next = waitForNextValidId(api);
    api.reqIds();
    expect(await next).toBe(FIRST_ORDER_ID);
  });

  it("refuses a second client with the same client id with 326 and keeps the first connected", async () => {
    const first = harness.ibApi("first");
    await connectAndStart(first, 7);
    const second = harness.ibApi("second");
    const refusal = waitForInfo(second, 326);
    const dropped = waitForDisconnected(second);
    second.connect(7);
    expect(await refusal).toBe(
      "Unable to connect as the client id is already in use. Retry with a unique client id.",
    );
    await dropped;
    expect(second.isConnected).toBe(false);
    expect(first.isConnected).toBe(true);
    expect(harness.server.connectedClientIds()).toEqual([7]);
    const time = waitForCurrentTime(first);
    first.reqCurrentTime();
    expect(await time).toBe(Math.floor(SIM_START_MS / 1000));
  });

  it("lets a client id be used again once its client has disconnected", async () => {
    const first = harness.ibApi("first");
    await connectAndStart(first, 7);
    const released = harness.clientDisconnected(7);
    first.disconnect();
    await released;
    expect(harness.server.connectedClientIds()).toEqual([]);
    const again = harness.ibApi("again");
    const started = await connectAndStart(again, 7);
    expect(started.nextValidId).toBe(FIRST_ORDER_ID);
    expect(harness.server.connectedClientIds()).toEqual([7]);
  });

  it("keeps serving real clients after a raw socket sends malformed bytes", async () => {
    const garbage = await harness.raw();
    garbage.sendBytes(Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "latin1"));
    await garbage.closed;

    const malformed = await harness.raw();
    await malformed.handshake(99);
    await malformed.nextMessages(5); // accounts, next id, three farm messages
    malformed.send(["49", "x"]); // REQ_CURRENT_TIME with a version that is not a number
    expect((await malformed.nextMessage("the 320 answer")).slice(0, 4)).toEqual(["4", "2", "-1", "320"]);
    malformed.sendBytes(Buffer.from([0x7f, 0xff, 0xff, 0xff])); // a length far above 0xFFFFFF
    await malformed.closed;

    const api = harness.ibApi("after garbage");
    await connectAndStart(api, 1);
    const time = waitForCurrentTime(api);
    api.reqCurrentTime();
    expect(await time).toBe(Math.floor(SIM_START_MS / 1000));
    expect(harness.server.connectedClientIds()).toEqual([1]);
  });

  it("serves IBApiNext: connection state, accounts, next order id and current time", async () => {
    const logs: NextLogRecord[] = [];
    const api = harness.ibApiNext("next", logs);
    // INFO makes IBApiNext log the server version and the id −1 messages; it also sends SET_SERVER_LOGLEVEL,
    // which the simulator does not handle and ignores.
    api.logLevel = LogLevel.INFO;
    const connected = firstValueFrom(
      api.connectionState.pipe(
        filter((state) => state === ConnectionState.Connected),
        timeout(EVENT_TIMEOUT_MS),
      ),
    );
    api.connect(3);
    await connected;
    expect(await api.getManagedAccounts()).toEqual(ACCOUNTS);
    expect(await api.getNextValidOrderId()).toBe(FIRST_ORDER_ID);
    expect(await api.getCurrentTime()).toBe(Math.floor(SIM_START_MS / 1000));
    const texts = logs.map((record) => record.text);
    expect(texts).toContain(`Server Version: ${serverVersion}. Connection time 20240102 15:04:05 UTC`);
    for (const [code, text] of FARM_STATUS) expect(texts).toContain(`${text} - Code: ${code}`);
    expect(harness.server.connectedClientIds()).toEqual([3]);
  });
});
