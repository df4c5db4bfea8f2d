import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { formatConnectionTime } from "./connection-time.js";
import { FrameReader } from "./frame-reader.js";
import {
  encodeCurrentTime,
  encodeErrorMessage,
  encodeManagedAccounts,
  encodeNextValidId,
  encodeServerVersionReply,
} from "./server-messages.js";

function fieldsOf(frame: Buffer): readonly string[] {
  const frames = new FrameReader({ expectHello: false }).push(frame);
  const [only] = frames;
  if (frames.length !== 1 || only?.kind !== "message") throw new Error("expected exactly one message");
  return only.fields;
}

describe.each([176, 193])("connection messages at server version %i", (serverVersion) => {
  it("replies to the hello with exactly the version and the connection time", () => {
    expect(fieldsOf(encodeServerVersionReply(serverVersion, "20240102 15:04:05 UTC"))).toEqual([
      String(serverVersion),
      "20240102 15:04:05 UTC",
    ]);
  });

  it("announces the accounts comma-joined in MANAGED_ACCTS", () => {
    expect(fieldsOf(encodeManagedAccounts(serverVersion, ["DU1234567", "DU7654321"]))).toEqual([
      "15",
      "1",
      "DU1234567,DU7654321",
    ]);
  });

  it("encodes NEXT_VALID_ID", () => {
    expect(fieldsOf(encodeNextValidId(serverVersion, 1000))).toEqual(["9", "1", "1000"]);
  });

  it("encodes CURRENT_TIME in epoch seconds", () => {
    expect(fieldsOf(encodeCurrentTime(serverVersion, 1_704_207_845))).toEqual(["49", "1", "1704207845"]);
  });

  it("encodes ERR_MSG with version 2 and an empty advancedOrderRejectJson", () => {
    const frame = encodeErrorMessage(serverVersion, {
      id: -1,
      code: 2104,
      message: "Market data farm connection is OK:usfarm",
    });
    expect(fieldsOf(frame)).toEqual(["4", "2", "-1", "2104", "Market data farm connection is OK:usfarm", ""]);
  });

  it("escapes non-ASCII error text as \\uXXXX", () => {
    const frame = encodeErrorMessage(serverVersion, { id: 5, code: 201, message: "Ordre rejeté" });
    expect(fieldsOf(frame)[4]).toBe("Ordre rejet\\u00e9");
  });

  it("passes a JSON advancedOrderRejectJson through", () => {
    const json = '{"rejectReason":"test"}';
    const frame = encodeErrorMessage(serverVersion, {
      id: 5,
      code: 201,
      message: "rejected",
      advancedOrderRejectJson: json,
    });
    expect(fieldsOf(frame)[5]).toBe(json);
  });
});

describe("connection message guards", () => {
  it("refuses an advancedOrderRejectJson that is not JSON, which would crash @stoqey/ib", () => {
    expect(() =>
      encodeErrorMessage(193, { id: 5, code: 201, message: "rejected", advancedOrderRejectJson: "oops" }),
    ).toThrow(InvariantError);
  });

  it("refuses server versions whose ERR_MSG layout differs (194 and later)", () => {
    expect(() => encodeErrorMessage(194, { id: -1, code: 2104, message: "ok" })).toThrow(InvariantError);
  });
});

describe("formatConnectionTime", () => {
  it("formats as yyyyMMdd HH:mm:ss with the zone", () => {
    expect(formatConnectionTime(Date.UTC(2024, 0, 2, 15, 4, 5, 678))).toBe("20240102 15:04:05 UTC");
  });
});
