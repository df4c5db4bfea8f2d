import { describe, expect, it } from "vitest";
import { FieldReader } from "./field-reader.js";
import { ProtocolError } from "./protocol-error.js";

describe("FieldReader", () => {
  it("reads typed fields in order", () => {
    const reader = new FieldReader(["71", "2", "7", "", "201.94", "1", "100.5", "AAPL"]);
    expect([reader.readInt(), reader.readInt(), reader.readLong(), reader.readString()]).toEqual([
      71,
      2,
      7,
      "",
    ]);
    expect([reader.readDouble(), reader.readBool(), reader.readDecimal(), reader.readString()]).toEqual([
      201.94,
      true,
      "100.5",
      "AAPL",
    ]);
    expect(reader.remaining).toBe(0);
  });

  it("reads empty fields as the field's default, as @stoqey/ib sends '' for undefined values", () => {
    const reader = new FieldReader(["", "", "", "", "", "", ""]);
    expect(reader.readInt()).toBe(0);
    expect(reader.readLong()).toBe(0);
    expect(reader.readDouble()).toBe(0);
    expect(reader.readBool()).toBe(false);
    expect(reader.readDecimal()).toBeUndefined();
    expect(reader.readIntOrUnset()).toBeUndefined();
    expect(reader.readDoubleOrUnset()).toBeUndefined();
  });

  it("reads the unset markers as undefined", () => {
    const reader = new FieldReader(["2147483647", "1.7976931348623157E308"]);
    expect(reader.readIntOrUnset()).toBeUndefined();
    expect(reader.readDoubleOrUnset()).toBeUndefined();
  });

  it("reads doubles in Java and JavaScript notation", () => {
    const reader = new FieldReader(["1.0E-4", "1e-7", "-0.0", ".5"]);
    expect([reader.readDouble(), reader.readDouble(), reader.readDouble(), reader.readDouble()]).toEqual([
      0.0001, 1e-7, -0, 0.5,
    ]);
  });

  it("throws an underrun error when the message has too few fields", () => {
    const reader = new FieldReader(["49"]);
    reader.readInt();
    expect(() => reader.readInt()).toThrow(expect.objectContaining({ reason: "field-underrun" }));
  });

  it.each([
    ["abc", (reader: FieldReader) => reader.readInt()],
    ["1.5", (reader: FieldReader) => reader.readInt()],
    ["2147483648", (reader: FieldReader) => reader.readInt()],
    ["9007199254740993", (reader: FieldReader) => reader.readLong()],
    ["1,5", (reader: FieldReader) => reader.readDouble()],
    ["NaN", (reader: FieldReader) => reader.readDouble()],
    ["Infinity", (reader: FieldReader) => reader.readDouble()],
    ["1e999", (reader: FieldReader) => reader.readDouble()],
    ["ten", (reader: FieldReader) => reader.readDecimal()],
    ["yes", (reader: FieldReader) => reader.readBool()],
  ])("throws a bad-number error for %j", (text, read) => {
    const error: unknown = (() => {
      try {
        read(new FieldReader([text]));
      } catch (thrown: unknown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ reason: "bad-number" });
  });
});
