import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameReader, MAX_MESSAGE_LENGTH, type Frame } from "./frame-reader.js";
import { encodeFrame } from "./message-writer.js";
import { ProtocolError } from "./protocol-error.js";

const SEED = { seed: 42 } as const;

// "API\0" + length 9 + "v100..193", as captured from @stoqey/ib 1.6.10 (ibkr-facts.md §1.2).
const STOQEY_HELLO = Buffer.from("4150490000000009763130302e2e313933", "hex");
// START_API for client id 7 at server version ≥ 72: payload "71\0 2\0 7\0 \0" (ibkr-facts.md §1.4).
const START_API = Buffer.from([0, 0, 0, 8, ...Buffer.from("71\u00002\u00007\u0000\u0000", "latin1")]);

function helloBytes(text: string): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(text.length);
  return Buffer.concat([Buffer.from("API\0", "latin1"), length, Buffer.from(text, "latin1")]);
}

function pushInChunks(reader: FrameReader, bytes: Buffer, cuts: readonly number[]): Frame[] {
  const points = [...new Set(cuts)].sort((a, b) => a - b);
  const frames: Frame[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    frames.push(...reader.push(bytes.subarray(start, point)));
    start = point;
  }
  return frames;
}

describe("FrameReader", () => {
  it("decodes the hello bytes @stoqey/ib sends, then START_API", () => {
    expect(STOQEY_HELLO.toString("latin1")).toBe("API\0\0\0\0\u0009v100..193");
    const frames = new FrameReader().push(Buffer.concat([STOQEY_HELLO, START_API]));
    expect(frames).toEqual([
      { kind: "hello", hello: { minVersion: 100, maxVersion: 193, connectOptions: "" } },
      { kind: "message", fields: ["71", "2", "7", ""] },
    ]);
  });

  it("returns nothing until a frame is complete and keeps the rest", () => {
    const reader = new FrameReader({ expectHello: false });
    const frame = encodeFrame(["49", "1"]);
    expect(reader.push(frame.subarray(0, 5))).toEqual([]);
    expect(reader.pendingBytes).toBe(5);
    expect(reader.push(frame.subarray(5))).toEqual([{ kind: "message", fields: ["49", "1"] }]);
    expect(reader.pendingBytes).toBe(0);
  });

  it("decodes several messages from one chunk in order", () => {
    const bytes = Buffer.concat([
      encodeFrame(["8", "1", "0"]),
      encodeFrame(["49", "1"]),
      encodeFrame(["17", "1"]),
    ]);
    const fields = new FrameReader({ expectHello: false })
      .push(bytes)
      .map((frame) => frame.kind === "message" && frame.fields);
    expect(fields).toEqual([
      ["8", "1", "0"],
      ["49", "1"],
      ["17", "1"],
    ]);
  });

  it("reads field bytes as latin1", () => {
    const payload = Buffer.from([0x41, 0xe9, 0x00]);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 3]), payload]);
    expect(new FrameReader({ expectHello: false }).push(frame)).toEqual([
      { kind: "message", fields: ["Aé"] },
    ]);
  });

  it("reports a payload without its final NUL as invalid and stays in sync", () => {
    const broken = Buffer.concat([Buffer.from([0, 0, 0, 4]), Buffer.from("49\u00001", "latin1")]);
    const frames = new FrameReader({ expectHello: false }).push(
      Buffer.concat([broken, encodeFrame(["49", "1"])]),
    );
    expect(frames).toEqual([
      { kind: "invalid", reason: "payload does not end with NUL", fields: ["49", "1"] },
      { kind: "message", fields: ["49", "1"] },
    ]);
  });

  it("reports an empty message as invalid", () => {
    expect(new FrameReader({ expectHello: false }).push(Buffer.from([0, 0, 0, 0]))).toEqual([
      { kind: "invalid", reason: "empty message", fields: [] },
    ]);
  });

  it("rejects a length above 0xFFFFFF as soon as the length arrives, and stays failed", () => {
    const reader = new FrameReader({ expectHello: false });
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_MESSAGE_LENGTH + 1);
    expect(() => reader.push(header)).toThrow(expect.objectContaining({ reason: "frame-too-long" }));
    expect(() => reader.push(encodeFrame(["49", "1"]))).toThrow(ProtocolError);
  });

  it("accepts a length of exactly 0xFFFFFF and waits for the bytes", () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_MESSAGE_LENGTH);
    expect(new FrameReader({ expectHello: false }).push(header)).toEqual([]);
  });

  it("rejects a stream that does not start with API\\0 at the first wrong byte", () => {
    expect(() => new FrameReader().push(Buffer.from("GE", "latin1"))).toThrow(
      expect.objectContaining({ reason: "malformed-hello" }),
    );
  });

  it("rejects a hello whose text is not a version range", () => {
    expect(() => new FrameReader().push(helloBytes("hello"))).toThrow(
      expect.objectContaining({ reason: "malformed-hello" }),
    );
  });

  it("rejects a hello whose length is above 0xFFFFFF", () => {
    const bytes = Buffer.concat([Buffer.from("API\0", "latin1"), Buffer.from([0xff, 0, 0, 0])]);
    expect(() => new FrameReader().push(bytes)).toThrow(
      expect.objectContaining({ reason: "frame-too-long" }),
    );
  });

  it("decodes the same frames whichever bytes the stream is split between", () => {
    const bytes = Buffer.concat([
      helloBytes("v100..193 +PACEAPI"),
      START_API,
      encodeFrame(["49", "1"]),
      encodeFrame(["8", "1", ""]),
    ]);
    const whole = new FrameReader().push(bytes);
    expect(whole).toHaveLength(4);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(pushInChunks(new FrameReader(), bytes, [cut])).toEqual(whole);
    }
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 }), (cuts) => {
        expect(pushInChunks(new FrameReader(), bytes, cuts)).toEqual(whole);
      }),
      SEED,
    );
  });

  it("decodes a stream fed one byte at a time", () => {
    const bytes = Buffer.concat([helloBytes("v176"), START_API]);
    const reader = new FrameReader();
    const frames = [...bytes].flatMap((byte) => reader.push(Buffer.from([byte])));
    expect(frames).toEqual(new FrameReader().push(bytes));
  });
});
