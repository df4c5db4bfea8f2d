// The byte-level row scanner behind csv-bar-reader.ts: buffer management, column roles, number and date parsing.
import { closeSync, openSync, readSync } from "node:fs";
import { DataIntegrityError, DataNotFoundError, TraderError } from "../core/errors.js";
import { parseAsciiNumber, isFieldPaddingByte } from "./ascii-number.js";
import { AsciiTimestampParser, type NaiveTimeZone } from "./ascii-timestamp.js";
import { formatTimeForMessage } from "./bar-validation.js";

const BUFFER_BYTES = 1 << 20;
const MAX_COLUMNS = 256;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

export const ROW_FIX = "correct or delete this row";
const ORDER_FIX = "rows must be in ascending time order; sort the file and drop duplicate rows";
export const OVERLAP_FIX = "pass a smaller barSeconds, or remove the overlapping rows";
const TIMESTAMP_FIX =
  "use YYYY-MM-DD, YYYYMMDD, an ISO 8601 date-time such as 2024-01-02T09:30:00Z, or epoch seconds/milliseconds";
const HEADER_FIX = "the first line must name the columns, e.g. Date,Open,High,Low,Close,Volume";

const COLUMN_ALIASES: ReadonlyMap<string, ColumnRole> = new Map<string, ColumnRole>([
  ["date", "date"],
  ["datetime", "date"],
  ["timestamp", "date"],
  ["time", "time"],
  ["open", "open"],
  ["high", "high"],
  ["low", "low"],
  ["close", "close"],
  ["adj close", "adjClose"],
  ["adj_close", "adjClose"],
  ["adjclose", "adjClose"],
  ["volume", "volume"],
]);

type ColumnRole = "date" | "time" | "open" | "high" | "low" | "close" | "adjClose" | "volume";

export function isNodeError(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && "code" in error && codes.includes(String(error.code));
}

export function notFound(path: string): DataNotFoundError {
  return new DataNotFoundError(`data file not found: ${path} (fix: check the path and file name)`);
}

/** Opens a file for reading, mapping a missing file to DataNotFoundError. */
function openForReading(path: string): number {
  try {
    return openSync(path, "r");
  } catch (error: unknown) {
    if (isNodeError(error, "ENOENT", "ENOTDIR")) throw notFound(path);
    throw new TraderError("IO_FAILED", `cannot open ${path}: ${String(error)}`, { cause: error });
  }
}

/**
 * Reads one file row by row: each `nextRow` call scans the next non-blank line, checks its column
 * count and parses its timestamp; `parseValues` then parses the row's prices and volume.
 */
export class CsvRowScanner {
  readonly path: string;
  /** Line number (1-based) of the current line. */
  lineNumber = 0;
  /** Data rows seen so far. */
  rowCount = 0;
  readonly columns: readonly string[];
  readonly roles: readonly (ColumnRole | undefined)[];
  readonly timeColumn: number;
  readonly volumeColumn: number;
  readonly adjCloseColumn: number;
  /** Whether the current row's timestamp had a time of day. */
  hadTimeOfDay = false;
  openTime = 0;
  open = 0;
  high = 0;
  low = 0;
  close = 0;
  volume = 0;

  private readonly fd: number;
  private closed = false;
  private readonly buffer: Buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  // A plain Uint8Array view of the same memory: V8 indexes it markedly faster than the Buffer subclass.
  private readonly bytes = new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, BUFFER_BYTES);
  private filled = 0;
  private position = 0;
  private endOfFile = false;
  private readonly commas = new Int32Array(MAX_COLUMNS);
  private commaCount = 0;
  private lineStart = 0;
  private lineEnd = 0;
  private readonly dateColumn: number;
  private readonly openColumn: number;
  private readonly highColumn: number;
  private readonly lowColumn: number;
  private readonly closeColumn: number;
  private readonly timestamps: AsciiTimestampParser;
  private previousOpenTime = Number.NEGATIVE_INFINITY;
  // Buffer positions of the previous row (kept across refills) for the out-of-order message; −1 when lost.
  private previousLineStart = -1;
  private previousDateStart = -1;
  private previousDateEnd = -1;
  private previousTimeStart = -1;
  private previousTimeEnd = -1;

  constructor(path: string, timeZone: NaiveTimeZone) {
    this.path = path;
    this.timestamps = new AsciiTimestampParser(timeZone);
    this.fd = openForReading(path);
    try {
      this.refill();
      const bytes = this.bytes;
      if (this.filled >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) this.position = 3;
      if (!this.nextLine()) {
        throw new DataNotFoundError(`${path}: the file is empty (fix: write a header line and data rows)`);
      }
      const columns: string[] = [];
      const roles: (ColumnRole | undefined)[] = [];
      const found = new Map<ColumnRole, number>();
      if (this.commaCount >= MAX_COLUMNS) {
        throw this.rowError(`the header has more than ${MAX_COLUMNS} columns`, HEADER_FIX);
      }
      for (let column = 0; column <= this.commaCount; column++) {
        let start = this.fieldStart(column);
        let end = this.fieldEnd(column);
        while (start < end && isFieldPaddingByte(bytes[start] ?? 0)) start++;
        while (end > start && isFieldPaddingByte(bytes[end - 1] ?? 0)) end--;
        const name = this.buffer.toString("utf8", start, end);
        const role = COLUMN_ALIASES.get(name.toLowerCase().replace(/\s+/g, " "));
        if (role !== undefined) {
          const first = found.get(role);
          if (first !== undefined) {
            throw this.rowError(
              `the header has two ${role} columns: '${columns[first] ?? ""}' and '${name}'`,
              "keep only one of them",
            );
          }
          found.set(role, column);
        }
        columns.push(name);
        roles.push(role);
      }
      this.columns = columns;
      this.roles = roles;
      const required = (role: ColumnRole, label: string): number => {
        const column = found.get(role);
        if (column === undefined) {
          throw this.rowError(
            `the header has no '${label}' column; found '${columns.join(",")}'`,
            HEADER_FIX,
          );
        }
        return column;
      };
      this.dateColumn = required("date", "Date");
      this.openColumn = required("open", "Open");
      this.highColumn = required("high", "High");
      this.lowColumn = required("low", "Low");
      this.closeColumn = required("close", "Close");
      this.timeColumn = found.get("time") ?? -1;
      this.volumeColumn = found.get("volume") ?? -1;
      this.adjCloseColumn = found.get("adjClose") ?? -1;
    } catch (error: unknown) {
      this.release();
      throw error;
    }
  }

  /** Closes the file (idempotent). */
  release(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** An error for the current line: `path:line: reason (fix: …)`. */
  rowError(reason: string, fix: string): DataIntegrityError {
    return new DataIntegrityError(`${this.path}:${this.lineNumber}: ${reason} (fix: ${fix})`);
  }

  /** Advances to the next data row and parses its timestamp into `openTime`; false at the end of the file. */
  nextRow(): boolean {
    if (!this.nextLine()) return false;
    const fields = this.commaCount + 1;
    if (fields !== this.columns.length) {
      throw this.rowError(
        `expected ${this.columns.length} columns, found ${fields}`,
        "every row needs one value per header column",
      );
    }
    this.rowCount++;
    const dateStart = this.fieldStart(this.dateColumn);
    const dateEnd = this.fieldEnd(this.dateColumn);
    const timeStart = this.timeColumn < 0 ? -1 : this.fieldStart(this.timeColumn);
    const timeEnd = this.timeColumn < 0 ? -1 : this.fieldEnd(this.timeColumn);
    const openTime = this.timestamps.parse(this.bytes, dateStart, dateEnd, timeStart, timeEnd);
    if (Number.isNaN(openTime)) {
      throw this.rowError(
        `timestamp '${this.stampText(dateStart, dateEnd, timeStart, timeEnd)}' is not a valid date or time`,
        TIMESTAMP_FIX,
      );
    }
    if (openTime <= this.previousOpenTime) {
      const previous =
        this.previousDateStart < 0
          ? formatTimeForMessage(this.previousOpenTime)
          : this.stampText(
              this.previousDateStart,
              this.previousDateEnd,
              this.previousTimeStart,
              this.previousTimeEnd,
            );
      throw this.rowError(
        `timestamp ${this.stampText(dateStart, dateEnd, timeStart, timeEnd)} is not after the previous row ${previous}`,
        ORDER_FIX,
      );
    }
    this.previousOpenTime = openTime;
    this.previousLineStart = this.lineStart;
    this.previousDateStart = dateStart;
    this.previousDateEnd = dateEnd;
    this.previousTimeStart = timeStart;
    this.previousTimeEnd = timeEnd;
    this.openTime = openTime;
    this.hadTimeOfDay = this.timestamps.hadTimeOfDay;
    return true;
  }

  /** Parses the current row's prices and volume (throws a DataIntegrityError naming the bad field). */
  parseValues(): void {
    this.open = this.numberField(this.openColumn, "open");
    this.high = this.numberField(this.highColumn, "high");
    this.low = this.numberField(this.lowColumn, "low");
    this.close = this.numberField(this.closeColumn, "close");
    const volumeColumn = this.volumeColumn;
    if (volumeColumn < 0) {
      this.volume = 0;
    } else {
      const start = this.fieldStart(volumeColumn);
      const end = this.fieldEnd(volumeColumn);
      this.volume = start === end ? 0 : this.numberField(volumeColumn, "volume");
    }
  }

  private numberField(column: number, name: string): number {
    const start = this.fieldStart(column);
    const end = this.fieldEnd(column);
    const value = parseAsciiNumber(this.bytes, start, end);
    if (Number.isNaN(value)) {
      throw this.rowError(`${name} is not a number: '${this.buffer.toString("utf8", start, end)}'`, ROW_FIX);
    }
    return value;
  }

  private fieldStart(column: number): number {
    return column === 0 ? this.lineStart : (this.commas[column - 1] ?? 0) + 1;
  }

  private fieldEnd(column: number): number {
    return column === this.commaCount ? this.lineEnd : (this.commas[column] ?? 0);
  }

  private stampText(dateStart: number, dateEnd: number, timeStart: number, timeEnd: number): string {
    const date = this.buffer.toString("utf8", dateStart, dateEnd).trim();
    return timeStart < 0 ? date : `${date} ${this.buffer.toString("utf8", timeStart, timeEnd).trim()}`;
  }

  /** Finds the next non-blank line, recording its comma positions; false at the end of the file. */
  private nextLine(): boolean {
    const bytes = this.bytes;
    const commas = this.commas;
    for (;;) {
      const start = this.position;
      const filled = this.filled;
      let count = 0;
      let i = start;
      for (; i < filled; i++) {
        const byte = bytes[i];
        if (byte === COMMA) {
          if (count < MAX_COLUMNS) commas[count] = i;
          count++;
        } else if (byte === NEWLINE) {
          break;
        }
      }
      if (i === filled && !this.endOfFile) {
        this.refill();
        continue;
      }
      if (i === start && i === filled) return false;
      this.lineNumber++;
      this.position = i < filled ? i + 1 : i;
      let end = i;
      if (end > start && bytes[end - 1] === CARRIAGE_RETURN) end--;
      if (end === start || (count === 0 && isBlank(bytes, start, end))) continue;
      this.lineStart = start;
      this.lineEnd = end;
      this.commaCount = count;
      return true;
    }
  }

  /** Moves the unread tail (and the previous row, for messages) to the buffer's start and reads more. */
  private refill(): void {
    const bytes = this.buffer;
    let keepFrom = this.position;
    if (this.previousLineStart >= 0 && this.previousLineStart < keepFrom) {
      keepFrom = this.filled - this.previousLineStart < BUFFER_BYTES ? this.previousLineStart : keepFrom;
    }
    if (keepFrom > 0) {
      bytes.copyWithin(0, keepFrom, this.filled);
      this.filled -= keepFrom;
      this.position -= keepFrom;
      if (this.previousLineStart >= keepFrom) {
        this.previousLineStart -= keepFrom;
        this.previousDateStart -= keepFrom;
        this.previousDateEnd -= keepFrom;
        if (this.previousTimeStart >= 0) {
          this.previousTimeStart -= keepFrom;
          this.previousTimeEnd -= keepFrom;
        }
      } else {
        this.previousLineStart = -1;
        this.previousDateStart = -1;
      }
    }
    if (this.filled === BUFFER_BYTES) {
      throw new DataIntegrityError(
        `${this.path}:${this.lineNumber + 1}: line is longer than ${BUFFER_BYTES} bytes (fix: is this really a CSV file with one row per line?)`,
      );
    }
    const read = readSync(this.fd, bytes, this.filled, BUFFER_BYTES - this.filled, null);
    this.filled += read;
    if (read === 0) this.endOfFile = true;
  }
}

function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    if (byte !== SPACE && byte !== TAB) return false;
  }
  return true;
}
