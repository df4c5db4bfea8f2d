import { closeSync, openSync, writeSync } from "node:fs";
import { ioError } from "./io-error.js";

const CHUNK_CHARS = 64 * 1024;

/** Quotes a CSV field when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Writes a CSV file (`\n` line ends) in chunks of about 64 KiB, so rows are never joined into one huge string. */
export function writeCsvFile(
  path: string,
  header: readonly string[],
  rows: Iterable<readonly string[]>,
): void {
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (error) {
    throw ioError("create", path, error);
  }
  try {
    let chunk = `${header.map(csvField).join(",")}\n`;
    for (const row of rows) {
      chunk += `${row.map(csvField).join(",")}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        writeSync(fd, chunk);
        chunk = "";
      }
    }
    if (chunk.length > 0) writeSync(fd, chunk);
  } catch (error) {
    throw ioError("write", path, error);
  } finally {
    closeSync(fd);
  }
}
