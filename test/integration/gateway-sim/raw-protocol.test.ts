import { afterEach, describe, expect, it } from "vitest";
import { IncomingMessageId, OutgoingMessageId } from "../../../src/gateway-sim/protocol/message-ids.js";
import { MessageWriter } from "../../../src/gateway-sim/protocol/message-writer.js";
import type { GatewaySimServerOptions } from "../../../src/gateway-sim/server/gateway-sim-server.js";
import type { RequestHandler } from "../../../src/gateway-sim/server/request-handler.js";
import { GatewaySimHarness } from "./gateway-sim-harness.js";
import type { RawGatewayClient } from "./raw-gateway-client.js";

const STARTUP = [
  ["15", "1", "DU1234567"],
  ["9", "1", "1"],
  ["4", "2", "-1", "2104", "Market data farm connection is OK:usfarm", ""],
  ["4", "2", "-1", "2106", "HMDS data farm connection is OK:ushmds", ""],
  ["4", "2", "-1", "2158", "Sec-def data farm connection is OK:secdefil", ""],
];

let harness: GatewaySimHarness | undefined;

async function startHarnessWith(
  options: Omit<GatewaySimServerOptions, "clock" | "logger">,
): Promise<GatewaySimHarness> {
  harness = await GatewaySimHarness.start(options);
  return harness;
}

function startHarness(maxServerVersion?: number): Promise<GatewaySimHarness> {
  return startHarnessWith(maxServerVersion === undefined ? {} : { maxServerVersion });
}

/** A raw client past START_API with the start-up messages consumed. */
async function startedClient(sim: GatewaySimHarness, clientId: number): Promise<RawGatewayClient> {
  const client = await sim.raw();
  await client.handshake(clientId);
  await client.nextMessages(STARTUP.length);
  return client;
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("gateway-sim over a raw socket", () => {
  it("replies to the hello with exactly the negotiated version and the connection time", async () => {
    const sim = await startHarness();
    const client = await sim.raw();
    client.sendHello("v100..200");
    expect(await client.nextMessage()).toEqual(["193", "20240102 15:04:05 UTC"]);
  });

  it("caps the negotiated version at maxServerVersion", async () => {
    const sim = await startHarness(176);
    const client = await sim.raw();
    client.sendHello("v100..193 +PACEAPI");
    expect(await client.nextMessage()).toEqual(["176", "20240102 15:04:05 UTC"]);
  });

  it("closes a client that cannot speak server version 176 without replying", async () => {
    const sim = await startHarness();
    const client = await sim.raw();
    client.sendHello("v100..175");
    await client.closed;
    expect(client.unreadCount).toBe(0);
    expect(
      sim.logs.some((log) => log.level === "warn" && log.message.includes("no common server version")),
    ).toBe(true);
  });

  it("sends nothing after the version reply until START_API, then the start-up sequence in order", async () => {
    const sim = await startHarness();
    const client = await sim.raw();
    await client.handshake(5);
    expect(await client.nextMessages(STARTUP.length)).toEqual(STARTUP);
  });

  it("treats an empty client id as client 0, as @stoqey/ib sends one when none is given", async () => {
    const sim = await startHarness();
    const client = await sim.raw();
    await client.handshake("");
    await client.nextMessages(STARTUP.length);
    expect(sim.server.connectedClientIds()).toEqual([0]);
  });

  it("ignores requests sent before START_API", async () => {
    const sim = await startHarness();
    const client = await sim.raw();
    client.sendHello("v100..193");
    await client.nextMessage();
    client.send(["49", "1"]);
    client.send(["71", "2", "1", ""]);
    expect(await client.nextMessage()).toEqual(STARTUP[0]);
  });

  it("logs and ignores unknown and not yet supported requests, then answers the next one", async () => {
    const sim = await startHarness();
    const client = await startedClient(sim, 1);
    client.send(["999", "1"]);
    client.send(["1", "11", "1", "", "AAPL", "STK"]); // REQ_MKT_DATA has no handler yet
    client.send(["71", "2", "1", ""]); // a repeated START_API
    client.send(["49", "1"]);
    expect(await client.nextMessage()).toEqual(["49", "1", "1704207845"]);
    const warnings = sim.logs.filter((log) => log.level === "warn").map((log) => log.message);
    expect(warnings).toEqual(
      expect.arrayContaining([
        "ignoring unknown request",
        "ignoring request not supported yet",
        "ignoring a repeated START_API",
      ]),
    );
  });

  it("answers unreadable requests with 320 and keeps the connection open", async () => {
    const sim = await startHarness();
    const client = await startedClient(sim, 1);
    client.send(["abc"]);
    client.send(["8", "1", "many"]);
    client.send(["8"]); // underrun: no version field
    const answers = await client.nextMessages(3);
    expect(answers.map((fields) => fields.slice(0, 4))).toEqual([
      ["4", "2", "-1", "320"],
      ["4", "2", "-1", "320"],
      ["4", "2", "-1", "320"],
    ]);
    expect(answers[1]?.[4]).toContain("Message id 8");
    client.send(["8", "1", "1"]);
    expect(await client.nextMessage()).toEqual(["9", "1", "1"]);
  });

  it("answers a frame whose payload does not end with NUL with 320 and stays in sync", async () => {
    const sim = await startHarness();
    const client = await startedClient(sim, 1);
    client.sendBytes(Buffer.concat([Buffer.from([0, 0, 0, 4]), Buffer.from("49\u00001", "latin1")]));
    client.send(["49", "1"]);
    expect((await client.nextMessage()).slice(0, 4)).toEqual(["4", "2", "-1", "320"]);
    expect(await client.nextMessage()).toEqual(["49", "1", "1704207845"]);
  });

  it("closes a connection that announces a frame longer than 0xFFFFFF and frees its client id", async () => {
    const sim = await startHarness();
    const client = await startedClient(sim, 4);
    const released = sim.clientDisconnected(4);
    client.sendBytes(Buffer.from([0x01, 0x00, 0x00, 0x00]));
    await client.closed;
    await released;
    expect(sim.server.connectedClientIds()).toEqual([]);
  });

  it("answers a malformed START_API with 320 and closes the connection", async () => {
    const sim = await startHarness();
    const client = await sim.raw();
    client.sendHello("v100..193");
    await client.nextMessage();
    client.send(["71", "2", "seven", ""]);
    expect((await client.nextMessage()).slice(0, 4)).toEqual(["4", "2", "-1", "320"]);
    await client.closed;
  });

  it("closes a stream that does not start with the API hello", async () => {
    const sim = await startHarness();
    const client = await sim.raw();
    client.sendBytes(Buffer.from("63\u0000", "latin1")); // a pre-v100 client version
    await client.closed;
    expect(client.unreadCount).toBe(0);
  });

  it("admits 32 clients, refuses a 33rd, and admits a new one when a slot frees", async () => {
    const sim = await startHarness();
    const clients = await Promise.all(
      Array.from({ length: 32 }, (_, index) => startedClient(sim, index + 1)),
    );
    expect(sim.server.connectedClientIds()).toHaveLength(32);
    const refused = await sim.raw();
    await refused.handshake(100);
    await refused.closed;
    expect(refused.unreadCount).toBe(0);
    const released = sim.clientDisconnected(1);
    clients[0]?.close();
    await released;
    await startedClient(sim, 100);
    expect(sim.server.connectedClientIds()).toContain(100);
  });

  it("closes every connection when stopped", async () => {
    const sim = await startHarness();
    const client = await startedClient(sim, 1);
    await sim.server.stop();
    await client.closed;
    expect(sim.server.connectedClientIds()).toEqual([]);
  });
});

describe("gateway-sim request handler table", () => {
  it("routes requests to added handlers and runs their cleanups when the client leaves", async () => {
    const cleaned: number[] = [];
    const handlers = new Map<number, RequestHandler>([
      [
        OutgoingMessageId.REQ_POSITIONS,
        (request, session) => {
          request.readInt(); // version
          session.onClose(() => cleaned.push(session.clientId));
          session.send(new MessageWriter().int(IncomingMessageId.POSITION_END).int(1).toFrame());
        },
      ],
    ]);
    const sim = await startHarnessWith({ requestHandlers: handlers });
    const client = await startedClient(sim, 6);
    client.send(["61", "1"]);
    expect(await client.nextMessage()).toEqual(["62", "1"]);
    const released = sim.clientDisconnected(6);
    client.close();
    await released;
    expect(cleaned).toEqual([6]);
  });

  it("answers a request whose handler fails with 322 and keeps serving the client", async () => {
    const handlers = new Map<number, RequestHandler>([
      [
        OutgoingMessageId.REQ_POSITIONS,
        () => {
          throw new Error("positions are broken");
        },
      ],
    ]);
    const sim = await startHarnessWith({ requestHandlers: handlers });
    const client = await startedClient(sim, 6);
    client.send(["61", "1"]);
    const answer = await client.nextMessage();
    expect(answer.slice(0, 4)).toEqual(["4", "2", "-1", "322"]);
    expect(answer[4]).toContain("positions are broken");
    client.send(["49", "1"]);
    expect(await client.nextMessage()).toEqual(["49", "1", "1704207845"]);
  });
});
