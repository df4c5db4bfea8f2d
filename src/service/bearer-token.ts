import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether an `Authorization` header carries `Bearer <expected>`. Both sides are hashed to equal-length
 * digests before timingSafeEqual, so neither the token's content nor its length leaks through timing.
 */
export function bearerTokenMatches(authorization: string | undefined, expected: string): boolean {
  if (authorization === undefined || expected === "") return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  const presented = match?.[1];
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
