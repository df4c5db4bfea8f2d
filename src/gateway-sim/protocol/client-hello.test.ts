import { describe, expect, it } from "vitest";
import { parseClientHello } from "./client-hello.js";
import { ProtocolError } from "./protocol-error.js";

describe("parseClientHello", () => {
  it("reads the version range @stoqey/ib and IB's Java client send", () => {
    expect(parseClientHello("v100..193")).toEqual({ minVersion: 100, maxVersion: 193, connectOptions: "" });
  });

  it("keeps connect options that follow a space", () => {
    expect(parseClientHello("v100..193 +PACEAPI")).toEqual({
      minVersion: 100,
      maxVersion: 193,
      connectOptions: "+PACEAPI",
    });
  });

  it("reads a single version as a range of one", () => {
    expect(parseClientHello("v176")).toEqual({ minVersion: 176, maxVersion: 176, connectOptions: "" });
  });

  it.each([
    "",
    "v",
    "100..193",
    "v100..",
    "v..193",
    "vabc..193",
    "v100..193\0",
    "v193..100",
    "GET / HTTP/1.1",
  ])("rejects %j as a malformed hello", (text) => {
    expect(() => parseClientHello(text)).toThrow(ProtocolError);
  });
});
