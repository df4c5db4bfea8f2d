import { ProtocolError } from "./protocol-error.js";

/** What a v100+ client announces before anything else: the server versions it can speak. */
export interface ClientHello {
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Connect options after the version range, e.g. `+PACEAPI`; "" when none. */
  readonly connectOptions: string;
}

// "v<min>..<max>" or "v<n>" when min equals max (IB's buildVersionString), then optionally " <options>".
const HELLO_PATTERN = /^v(\d{1,9})(?:\.\.(\d{1,9}))?(?: (.*))?$/s;

/** Parses the text after `API\0` + length (ibkr-facts.md §1.2), e.g. `v100..193` or `v100..193 +PACEAPI`. */
export function parseClientHello(text: string): ClientHello {
  const match = HELLO_PATTERN.exec(text);
  const min = match?.[1];
  if (match === null || min === undefined || text.includes("\0")) {
    throw new ProtocolError("malformed-hello", `client hello ${JSON.stringify(text)} is not v<min>..<max>`);
  }
  const minVersion = Number(min);
  const maxVersion = Number(match[2] ?? min);
  if (minVersion > maxVersion) {
    throw new ProtocolError("malformed-hello", `client hello ${JSON.stringify(text)} has min above max`);
  }
  return { minVersion, maxVersion, connectOptions: match[3] ?? "" };
}
