import { PassThrough } from "node:stream";
import type { CliIo } from "../../src/cli/cli-io.js";

/** A CliIo for running a command in-process: stdout and stderr captured, the environment given. */
export function captureIo(env: Readonly<Record<string, string | undefined>> = {}): {
  readonly io: CliIo;
  readonly stdout: () => string;
  readonly stderr: () => string;
} {
  let out = "";
  let err = "";
  const stdout = new PassThrough();
  stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const stderr = new PassThrough();
  stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  return { io: { env, cwd: process.cwd(), stdout, stderr }, stdout: () => out, stderr: () => err };
}
