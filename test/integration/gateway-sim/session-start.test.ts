import { EventName } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { encodeCurrentTime } from "../../../src/gateway-sim/protocol/server-messages.js";
import type { SessionContext } from "../../../src/gateway-sim/server/request-handler.js";
import { GatewaySimHarness } from "./gateway-sim-harness.js";
import { waitForCurrentTime, waitForNextValidId } from "./ib-api-events.js";

describe("gateway-sim session start listeners", () => {
  let harness: GatewaySimHarness;

  afterEach(async () => {
    await harness.close();
  });

  it("tells each listener about a session after its start-up messages, with the session's client id", async () => {
    const started: SessionContext[] = [];
    harness = await GatewaySimHarness.start({
      sessionStartListeners: [
        (session) => {
          started.push(session);
          // Whatever a listener sends arrives after the farm status that ends the start-up messages.
          session.send(encodeCurrentTime(session.serverVersion, 1_234));
        },
      ],
    });
    const api = harness.ibApi("client");
    const arrivals: string[] = [];
    api.on(EventName.nextValidId, () => arrivals.push("nextValidId"));
    api.on(EventName.info, (_message: string, code: number) => arrivals.push(`info ${code}`));
    api.on(EventName.currentTime, (time: number) => arrivals.push(`currentTime ${time}`));
    const sent = waitForCurrentTime(api);
    api.connect(4);
    await sent;

    expect(arrivals).toEqual(["nextValidId", "info 2104", "info 2106", "info 2158", "currentTime 1234"]);
    expect(started.map((session) => session.clientId)).toEqual([4]);
  });

  it("keeps the session up and calls the next listener when one throws", async () => {
    const calls: string[] = [];
    harness = await GatewaySimHarness.start({
      sessionStartListeners: [
        () => {
          calls.push("failing");
          throw new Error("listener broke");
        },
        () => {
          calls.push("second");
        },
      ],
    });
    const api = harness.ibApi("client");
    const ready = waitForNextValidId(api);
    api.connect(1);
    await ready;
    const time = waitForCurrentTime(api);
    api.reqCurrentTime();
    await time;

    expect(calls).toEqual(["failing", "second"]);
    const warning = harness.logs.find((record) => record.fields.where === "session start listener");
    expect(warning).toMatchObject({ level: "warn", fields: { error: "listener broke" } });
  });
});
