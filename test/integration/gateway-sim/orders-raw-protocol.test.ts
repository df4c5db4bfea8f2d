import { afterEach, describe, expect, it } from "vitest";
import { FieldReader } from "../../../src/gateway-sim/protocol/field-reader.js";
import { ACCOUNT, FIRST_ORDER_ID, OrderSimHarness } from "./orders-test-kit.js";
import type { RawGatewayClient } from "./raw-gateway-client.js";

const D = "1.7976931348623157E308";
const I = "2147483647";

/**
 * PLACE_ORDER of a 10-share AAPL market buy as IB's Java/Python clients build it (explicit defaults: conId
 * 0, strike 0.0, exemptCode −1, Double.MAX_VALUE for the adjusted prices, Integer.MAX_VALUE for the "Max"
 * ints; ibkr-facts.md §2.5), at server version 176: 115 fields, faProfile included.
 */
function javaStyleMarketOrder(orderId: number): string[] {
  return [
    "3",
    String(orderId),
    "0",
    "AAPL",
    "STK",
    "",
    "0.0",
    "",
    "",
    "SMART",
    "",
    "USD",
    "",
    "",
    "",
    "",
    "BUY",
    "10",
    "MKT",
    "",
    "",
    "DAY",
    "",
    ACCOUNT,
    "",
    "0",
    "",
    "1",
    "0",
    "0",
    "0",
    I,
    "0",
    "0",
    "0",
    "",
    "0.0",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "0",
    "",
    "-1",
    "0",
    "",
    "",
    "0",
    "",
    "",
    "0",
    "0",
    "",
    "0",
    "",
    "",
    "",
    "",
    "",
    "0",
    "",
    I,
    "",
    "",
    "0",
    I,
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "0",
    "",
    "",
    "0",
    "0",
    "",
    "",
    "0",
    "",
    "0",
    "0",
    "0",
    "0",
    "",
    D,
    D,
    D,
    D,
    D,
    "0",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "0",
    "0",
    "0",
    "",
    I,
    I,
    "0",
    "",
    "",
  ];
}

describe("gateway-sim orders with a Java-layout client at server version 176 (IB's Python 10.19/10.30 maximum)", () => {
  let sim: OrderSimHarness;

  afterEach(async () => {
    await sim.close();
  });

  async function connectRaw(): Promise<RawGatewayClient> {
    sim = await OrderSimHarness.start({ serverVersion: 193 });
    const client = await sim.gateway.raw();
    expect((await client.handshake(4, "v100..176"))[0]).toBe("176");
    await client.nextMessages(5); // accounts, next valid id, three farm messages
    return client;
  }

  it("fills an order sent with IB's explicit defaults and answers in the 176 layouts", async () => {
    const client = await connectRaw();
    const fields = javaStyleMarketOrder(FIRST_ORDER_ID);
    expect(fields).toHaveLength(115);
    client.send(fields);

    const messages = await client.nextMessages(7);
    expect(messages.map((message) => message[0])).toEqual(["5", "3", "11", "5", "3", "5", "59"]);
    expect(messages.map((message) => message.length)).toEqual([136, 12, 31, 136, 12, 136, 8]);
    const execution = messages[2] ?? [];
    expect(execution.slice(18, 21)).toEqual(["BOT", "10", String(sim.quote("AAPL").ask)]);
    expect(client.unreadCount).toBe(0);
  });

  it("sends COMPLETED_ORDER with faProfile below 177, as IB's EOrderDecoder reads it", async () => {
    const client = await connectRaw();
    client.send(javaStyleMarketOrder(FIRST_ORDER_ID));
    await client.nextMessages(7);

    client.send(["99", "0"]); // REQ_COMPLETED_ORDERS, apiOnly false
    const [completed, end] = await client.nextMessages(2);
    expect(end).toEqual(["102"]);
    const reader = new FieldReader(completed ?? []);
    const read = (count: number): string[] => Array.from({ length: count }, () => reader.readString());
    expect(read(1)).toEqual(["101"]);
    expect(read(11).slice(0, 3)).toEqual(["265598", "AAPL", "STK"]); // contract
    expect(read(11).slice(0, 3)).toEqual(["BUY", "0", "MKT"]); // action … orderRef (remaining quantity 0)
    read(5); // permId, outsideRth, hidden, discretionaryAmt, goodAfterTime
    expect(read(4)).toEqual(["", "", "", ""]); // faGroup, faMethod, faPercentage, faProfile
    expect(completed).toHaveLength(101);
    expect(completed?.slice(-8, -5)).toEqual([
      "9223372036854775807",
      "20240102 15:04:05 UTC",
      "Filled Size: 10",
    ]);
  });
});
