import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvariantError } from "../../core/errors.js";
import { FieldReader } from "./field-reader.js";
import { FrameReader, type Frame } from "./frame-reader.js";
import { encodeFrame, MessageWriter } from "./message-writer.js";
import { INT32_MAX, INT32_MIN, UNSET_DOUBLE, UNSET_INTEGER } from "./unset-values.js";

const SEED = { seed: 42 } as const;

type FieldSpec =
  | { readonly type: "int"; readonly value: number }
  | { readonly type: "intOrUnset"; readonly value: number | undefined }
  | { readonly type: "long"; readonly value: number }
  | { readonly type: "double"; readonly value: number }
  | { readonly type: "doubleOrUnset"; readonly value: number | undefined }
  | { readonly type: "decimal"; readonly value: string | undefined }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "string"; readonly value: string };

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
const wireText = fc.string({
  unit: fc.integer({ min: 1, max: 0x7f }).map((code) => String.fromCharCode(code)),
  maxLength: 20,
});

const fieldSpec: fc.Arbitrary<FieldSpec> = fc.oneof(
  fc.record({ type: fc.constant("int" as const), value: fc.integer({ min: INT32_MIN, max: INT32_MAX }) }),
  fc.record({
    type: fc.constant("intOrUnset" as const),
    // 2147483647 itself is the unset marker, so it reads back as undefined.
    value: fc.option(fc.integer({ min: INT32_MIN, max: INT32_MAX - 1 }), { nil: undefined }),
  }),
  fc.record({ type: fc.constant("long" as const), value: fc.maxSafeInteger() }),
  fc.record({ type: fc.constant("double" as const), value: finiteDouble }),
  fc.record({
    type: fc.constant("doubleOrUnset" as const),
    value: fc.option(
      finiteDouble.filter((value) => value !== UNSET_DOUBLE),
      { nil: undefined },
    ),
  }),
  fc.record({
    type: fc.constant("decimal" as const),
    value: fc.option(fc.stringMatching(/^-?\d{1,12}(\.\d{1,8})?$/), { nil: undefined }),
  }),
  fc.record({ type: fc.constant("bool" as const), value: fc.boolean() }),
  fc.record({ type: fc.constant("string" as const), value: wireText }),
);

function write(writer: MessageWriter, spec: FieldSpec): void {
  switch (spec.type) {
    case "int":
      writer.int(spec.value);
      return;
    case "intOrUnset":
      writer.intOrUnset(spec.value);
      return;
    case "long":
      writer.long(spec.value);
      return;
    case "double":
      writer.double(spec.value);
      return;
    case "doubleOrUnset":
      writer.doubleOrUnset(spec.value);
      return;
    case "decimal":
      writer.decimal(spec.value);
      return;
    case "bool":
      writer.bool(spec.value);
      return;
    case "string":
      writer.string(spec.value);
      return;
  }
}

function readBack(reader: FieldReader, spec: FieldSpec): FieldSpec {
  switch (spec.type) {
    case "int":
      return { type: spec.type, value: reader.readInt() };
    case "intOrUnset":
      return { type: spec.type, value: reader.readIntOrUnset() };
    case "long":
      return { type: spec.type, value: reader.readLong() };
    case "double":
      return { type: spec.type, value: reader.readDouble() };
    case "doubleOrUnset":
      return { type: spec.type, value: reader.readDoubleOrUnset() };
    case "decimal":
      return { type: spec.type, value: reader.readDecimal() };
    case "bool":
      return { type: spec.type, value: reader.readBool() };
    case "string":
      return { type: spec.type, value: reader.readString() };
  }
}

/** Writes each message (message id first), returning the concatenated frames. */
function encodeAll(messages: readonly (readonly FieldSpec[])[]): Buffer {
  return Buffer.concat(
    messages.map((specs, index) => {
      const writer = new MessageWriter().int(index + 1);
      for (const spec of specs) write(writer, spec);
      return writer.toFrame();
    }),
  );
}

/** Decodes frames back into typed values using each message's specs as the read plan. */
function decodeAll(frames: readonly Frame[], messages: readonly (readonly FieldSpec[])[]): FieldSpec[][] {
  return frames.map((frame, index) => {
    if (frame.kind !== "message") throw new Error(`frame ${index} is ${frame.kind}`);
    const reader = new FieldReader(frame.fields);
    expect(reader.readInt()).toBe(index + 1);
    const decoded = (messages[index] ?? []).map((spec) => readBack(reader, spec));
    expect(reader.remaining).toBe(0);
    return decoded;
  });
}

describe("MessageWriter", () => {
  it("frames NEXT_VALID_ID as length, then NUL-terminated fields", () => {
    const frame = new MessageWriter().int(9).int(1).int(1000).toFrame();
    expect(frame).toEqual(Buffer.from("\u0000\u0000\u0000\u00099\u00001\u00001000\u0000", "latin1"));
  });

  it("writes the unset markers TWS uses for ints, doubles and decimals", () => {
    expect(
      new MessageWriter().intOrUnset(undefined).doubleOrUnset(undefined).decimal(undefined).fields(),
    ).toEqual([String(UNSET_INTEGER), "1.7976931348623157E308", ""]);
  });

  it("writes doubles like Java, booleans as 1/0 and decimals verbatim", () => {
    expect(
      new MessageWriter().double(201.94).double(0).bool(true).bool(false).decimal("0.0001").fields(),
    ).toEqual(["201.94", "0.0", "1", "0", "0.0001"]);
  });

  it.each([
    ["an int that is not 32-bit", (writer: MessageWriter) => writer.int(INT32_MAX + 1)],
    ["a fractional int", (writer: MessageWriter) => writer.int(1.5)],
    ["an unsafe long", (writer: MessageWriter) => writer.long(2 ** 53)],
    ["a NaN double", (writer: MessageWriter) => writer.double(Number.NaN)],
    ["a decimal that is not a number", (writer: MessageWriter) => writer.decimal("1,5")],
    ["text with NUL", (writer: MessageWriter) => writer.string("a\0b")],
    ["non-ASCII text", (writer: MessageWriter) => writer.string("é")],
  ])("refuses %s", (_name, add) => {
    expect(() => add(new MessageWriter())).toThrow(InvariantError);
  });

  it("refuses a message without fields", () => {
    expect(() => encodeFrame([])).toThrow(InvariantError);
  });

  it("produces messages that decode back to the same values", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fieldSpec, { maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        (messages) => {
          const bytes = encodeAll(messages);
          const frames = new FrameReader({ expectHello: false }).push(bytes);
          expect(frames).toHaveLength(messages.length);
          expect(decodeAll(frames, messages)).toEqual(messages);
        },
      ),
      SEED,
    );
  });

  it("produces messages that decode back to the same values wherever the stream is split", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fieldSpec, { maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        (messages) => {
          const bytes = encodeAll(messages);
          for (let cut = 0; cut <= bytes.length; cut++) {
            const reader = new FrameReader({ expectHello: false });
            const frames = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
            expect(decodeAll(frames, messages)).toEqual(messages);
          }
        },
      ),
      { ...SEED, numRuns: 50 },
    );
  });
});
