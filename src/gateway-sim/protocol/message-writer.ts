import { InvariantError } from "../../core/errors.js";
import { assertWireSafe } from "./ascii-text.js";
import { MAX_MESSAGE_LENGTH } from "./frame-reader.js";
import { formatJavaDouble } from "./java-double.js";
import { INT32_MAX, INT32_MIN, UNSET_DOUBLE, UNSET_INTEGER } from "./unset-values.js";

const DECIMAL_PATTERN = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Builds one TWS API message from typed fields, formatted as TWS (a Java program) writes them, and frames
 * it: fields joined by NUL with a final NUL, behind a 4-byte big-endian length (ibkr-facts.md §1.1).
 */
export class MessageWriter {
  private readonly values: string[] = [];

  /** A Java int (32-bit). */
  int(value: number): this {
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
      throw new InvariantError(`int field ${value} is not a 32-bit integer`);
    }
    this.values.push(String(value));
    return this;
  }

  /** A Java int where undefined is sent as the unset marker 2147483647. */
  intOrUnset(value: number | undefined): this {
    return this.int(value ?? UNSET_INTEGER);
  }

  /** A Java long (permId, epoch seconds), limited to integers JavaScript holds exactly. */
  long(value: number): this {
    if (!Number.isSafeInteger(value)) throw new InvariantError(`long field ${value} is not a safe integer`);
    this.values.push(String(value));
    return this;
  }

  /** A finite Java double, e.g. `201.94`, `0.0`, `1.0E-4`. */
  double(value: number): this {
    this.values.push(formatJavaDouble(value));
    return this;
  }

  /** A Java double where undefined is sent as the unset marker `1.7976931348623157E308`. */
  doubleOrUnset(value: number | undefined): this {
    return this.double(value ?? UNSET_DOUBLE);
  }

  /** A Decimal as text (sizes, quantities); undefined is sent as "" which every client reads as unset. */
  decimal(value: string | undefined): this {
    if (value === undefined) {
      this.values.push("");
      return this;
    }
    if (!DECIMAL_PATTERN.test(value))
      throw new InvariantError(`decimal field ${JSON.stringify(value)} is not a number`);
    this.values.push(value);
    return this;
  }

  /** A boolean as `1` or `0`, as all clients and TWS send it (ibkr-facts.md §2.5). */
  bool(value: boolean): this {
    this.values.push(value ? "1" : "0");
    return this;
  }

  /** Text in 7-bit ASCII without NUL; escape anything else first with escapeNonAscii. */
  string(value: string): this {
    assertWireSafe(value);
    this.values.push(value);
    return this;
  }

  /** The formatted fields so far, msgId first. */
  fields(): readonly string[] {
    return [...this.values];
  }

  /** The framed message: length prefix, then every field followed by NUL. */
  toFrame(): Buffer {
    return encodeFrame(this.values);
  }
}

/** Frames already formatted fields: `<length BE32><f1>\0<f2>\0…` (ibkr-facts.md §1.1). */
export function encodeFrame(fields: readonly string[]): Buffer {
  if (fields.length === 0) throw new InvariantError("a message needs at least its message id");
  for (const field of fields) assertWireSafe(field);
  const payload = `${fields.join("\0")}\0`;
  if (payload.length > MAX_MESSAGE_LENGTH) {
    throw new InvariantError(`message of ${payload.length} bytes exceeds ${MAX_MESSAGE_LENGTH}`);
  }
  const frame = Buffer.allocUnsafe(4 + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.write(payload, 4, "latin1");
  return frame;
}
