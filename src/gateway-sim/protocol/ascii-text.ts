import { InvariantError } from "../../core/errors.js";

const LAST_ASCII = 0x7f;

/** Whether one UTF-16 code unit can travel in a field unchanged: 7-bit ASCII except NUL. */
function isWireSafeCode(code: number): boolean {
  return code > 0 && code <= LAST_ASCII;
}

/** True when `text` can be sent as one field unchanged: 7-bit ASCII without NUL (NUL ends a field). */
export function isWireSafe(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (!isWireSafeCode(text.charCodeAt(i))) return false;
  }
  return true;
}

/** Throws unless `text` can be sent as one field unchanged. */
export function assertWireSafe(text: string): void {
  if (!isWireSafe(text)) {
    throw new InvariantError(
      `field ${JSON.stringify(text)} contains NUL or non-ASCII characters; escape it with escapeNonAscii`,
    );
  }
}

/**
 * Escapes every character outside 7-bit ASCII (and NUL) as `\uXXXX`, as TWS does for error texts and
 * contract long names from server version 153 (ENCODE_MSG_ASCII7); clients unescape (ibkr-facts.md §1.1).
 */
export function escapeNonAscii(text: string): string {
  let escaped = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    escaped += isWireSafeCode(code) ? text.charAt(i) : `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return escaped;
}
