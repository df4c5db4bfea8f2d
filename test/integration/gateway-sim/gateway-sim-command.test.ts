import { PassThrough } from "node:stream";
import { IBApi } from "@stoqey/ib";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../../src/cli/cli-io.js";
import { runCli } from "../../../src/cli/program.js";
import { waitForNextValidId } from "./ib-api-events.js";
import { waitFor } from "./wait-for.js";

/** A CliIo whose stdout is captured and whose shutdown the test triggers. */
function captureIo(): { io: CliIo; stdout: () => string; shutdown: () => void } {
  let text = "";
  const stdout = new PassThrough();
  stdout.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  let shutdown: (signal: string) => void = () => undefined;
  const requested = new Promise<string>((resolve) => {
    shutdown = resolve;
  });
  const io: CliIo = {
    env: {},
    cwd: process.cwd(),
    stdout,
    stderr: new PassThrough(),
    untilShutdown: () => requested,
  };
  return {
    io,
    stdout: () => text,
    shutdown: () => {
      shutdown("SIGTERM");
    },
  };
}

describe("ibkr-trader gateway-sim, in-process", () => {
  it("prints its address, serves a real client, and returns 0 when asked to stop", async () => {
    const { io, stdout, shutdown } = captureIo();
    const exitCode = runCli(["gateway-sim", "--port", "0", "--log-level", "silent"], io);
    const port = await waitFor<number>("the listening line", (resolve) => {
      const check = (): void => {
        const match = /^gateway-sim listening on 127\.0\.0\.1:(\d+) /.exec(stdout());
        if (match?.[1] !== undefined) resolve(Number(match[1]));
      };
      io.stdout.on("data", check);
      check();
      return () => io.stdout.off("data", check);
    });

    const api = new IBApi({ host: "127.0.0.1", port });
    const ready = waitForNextValidId(api);
    api.connect(0);
    expect(await ready).toBe(1);
    api.disconnect();

    shutdown();
    expect(await exitCode).toBe(0);
    expect(stdout().trim().split("\n")).toHaveLength(1);
  });
});
