import { ProtocolError } from "./protocol-error.js";
import { INT32_MAX, INT32_MIN, UNSET_DOUBLE, UNSET_INTEGER } from "./unset-values.js";

const INTEGER_PATTERN = /^[+-]?\d+$/;
const DOUBLE_PATTERN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Typed, sequential reads over the fields of one decoded message. Empty fields read as the field's
 * default (0, false, unset), since clients such as @stoqey/ib send "" for every value the application
 * left undefined (ibkr-facts.md §2.5). Underruns and unparseable numbers throw a ProtocolError.
 */
export class FieldReader {
  private readonly fields: readonly string[];
  private position = 0;

  constructor(fields: readonly string[]) {
    this.fields = fields;
  }

  /** Number of fields not read yet. */
  get remaining(): number {
    return this.fields.length - this.position;
  }

  /** The next field as text. */
  readString(): string {
    const value = this.fields[this.position];
    if (value === undefined) {
      throw new ProtocolError(
        "field-underrun",
        `message ended after ${this.fields.length} fields; field ${this.position + 1} is missing`,
      );
    }
    this.position += 1;
    return value;
  }

  /** A Java int; "" reads as 0. */
  readInt(): number {
    const text = this.readString();
    if (text === "") return 0;
    const value = this.parseInteger(text);
    if (value < INT32_MIN || value > INT32_MAX) this.badNumber(text, "a 32-bit integer");
    return value;
  }

  /** A Java int where "" and the unset marker 2147483647 read as undefined. */
  readIntOrUnset(): number | undefined {
    const text = this.readString();
    if (text === "") return undefined;
    this.position -= 1;
    const value = this.readInt();
    return value === UNSET_INTEGER ? undefined : value;
  }

  /** A Java long limited to integers JavaScript holds exactly; "" reads as 0. */
  readLong(): number {
    const text = this.readString();
    if (text === "") return 0;
    const value = this.parseInteger(text);
    if (!Number.isSafeInteger(value)) this.badNumber(text, "an integer of at most 53 bits");
    return value;
  }

  /** A finite double in Java or JavaScript notation; "" reads as 0. */
  readDouble(): number {
    const text = this.readString();
    if (text === "") return 0;
    if (!DOUBLE_PATTERN.test(text)) this.badNumber(text, "a number");
    const value = Number(text);
    if (!Number.isFinite(value)) this.badNumber(text, "a finite number");
    return value;
  }

  /** A double where "" and the unset marker Double.MAX_VALUE read as undefined. */
  readDoubleOrUnset(): number | undefined {
    const text = this.readString();
    if (text === "") return undefined;
    this.position -= 1;
    const value = this.readDouble();
    return value === UNSET_DOUBLE ? undefined : value;
  }

  /** A Decimal kept as its text (sizes, quantities); "" reads as undefined. */
  readDecimal(): string | undefined {
    const text = this.readString();
    if (text === "") return undefined;
    if (!DOUBLE_PATTERN.test(text)) this.badNumber(text, "a decimal number");
    return text;
  }

  /** A boolean sent as an int (any non-zero is true, as in IB's readBoolFromInt); "" reads as false. */
  readBool(): boolean {
    return this.readInt() !== 0;
  }

  private parseInteger(text: string): number {
    if (!INTEGER_PATTERN.test(text)) this.badNumber(text, "an integer");
    return Number(text);
  }

  private badNumber(text: string, expected: string): never {
    throw new ProtocolError(
      "bad-number",
      `field ${this.position} is ${JSON.stringify(text)}, expected ${expected}`,
    );
  }
}
