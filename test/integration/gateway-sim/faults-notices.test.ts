import type { IBApi } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { GatewaySimFixture, NoticeRecorder, type ReceivedNotice } from "./gateway-sim-fixture.js";
import { waitForNextValidId } from "./ib-api-events.js";

/** The last start-up notice (ibkr-facts.md §1.5): after it, anything new is the fault's. */
const LAST_START_UP_CODE = 2158;

describe.each([176, 193])(
  "gateway-sim connectivity and farm notices at server version %i",
  (serverVersion) => {
    let fixture: GatewaySimFixture;

    afterEach(async () => {
      await fixture.close();
    });

    /** A client whose start-up notices have all arrived, and a function giving the notices since then. */
    async function connectedClient(
      clientId = 1,
    ): Promise<{ api: IBApi; recorder: NoticeRecorder; since: () => readonly ReceivedNotice[] }> {
      const api = fixture.ibApi(`client ${clientId}`);
      const recorder = new NoticeRecorder(api);
      const ready = waitForNextValidId(api);
      api.connect(clientId);
      await ready;
      await recorder.until(LAST_START_UP_CODE);
      const from = recorder.notices.length;
      return { api, recorder, since: () => recorder.notices.slice(from) };
    }

    it("connectivityLost then connectivityRestored({ dataLost: true }): 1100 then 1101 arrive as info events", async () => {
      fixture = await GatewaySimFixture.start({ maxServerVersion: serverVersion });
      const { recorder, since } = await connectedClient();

      expect(fixture.sim.faults.connectivityLost()).toBe(1);
      fixture.sim.faults.connectivityRestored({ dataLost: true });
      await recorder.until(1101);

      expect(since()).toEqual([
        {
          event: "info",
          code: 1100,
          message: "Connectivity between IB and Trader Workstation has been lost.",
        },
        {
          event: "info",
          code: 1101,
          message: "Connectivity between IB and Trader Workstation has been restored - data lost.",
        },
      ]);
    });

    it("connectivityRestored({ dataLost: false }): 1102 arrives as an info event", async () => {
      fixture = await GatewaySimFixture.start({ maxServerVersion: serverVersion });
      const { recorder, since } = await connectedClient();

      fixture.sim.faults.connectivityLost();
      fixture.sim.faults.connectivityRestored({ dataLost: false });
      await recorder.until(1102);

      expect(since().map((notice) => [notice.event, notice.code])).toEqual([
        ["info", 1100],
        ["info", 1102],
      ]);
      expect(since()[1]?.message).toMatch(
        /^Connectivity between IB and Trader Workstation has been restored - data maintained\./,
      );
    });

    it("tells every connected client", async () => {
      fixture = await GatewaySimFixture.start({ maxServerVersion: serverVersion });
      const first = await connectedClient(1);
      const second = await connectedClient(2);

      expect(fixture.sim.faults.connectivityLost()).toBe(2);
      await Promise.all([first.recorder.until(1100), second.recorder.until(1100)]);
    });

    it("farmFlap({ farm: 'market' }): 2103 then 2104", async () => {
      fixture = await GatewaySimFixture.start({ maxServerVersion: serverVersion });
      const { recorder, since } = await connectedClient();

      await fixture.sim.faults.farmFlap({ farm: "market" });
      await recorder.until(2104, 2);

      expect(since()).toEqual([
        { event: "info", code: 2103, message: "Market data farm connection is broken:usfarm" },
        { event: "info", code: 2104, message: "Market data farm connection is OK:usfarm" },
      ]);
    });

    it("farmFlap({ farm: 'historical' }): 2105 then 2106", async () => {
      fixture = await GatewaySimFixture.start({ maxServerVersion: serverVersion });
      const { recorder, since } = await connectedClient();

      await fixture.sim.faults.farmFlap({ farm: "historical" });
      await recorder.until(2106, 2);

      expect(since()).toEqual([
        { event: "info", code: 2105, message: "HMDS data farm connection is broken:ushmds" },
        { event: "info", code: 2106, message: "HMDS data farm connection is OK:ushmds" },
      ]);
    });
  },
);
