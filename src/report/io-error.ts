import { TraderError } from "../core/errors.js";

/** Wraps a failed file operation in a TraderError with code IO_FAILED that names the path. */
export function ioError(action: string, path: string, cause: unknown): TraderError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TraderError("IO_FAILED", `cannot ${action} ${path}: ${reason}`, { cause });
}
