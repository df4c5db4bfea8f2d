import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { IBApi } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { waitForNextValidId } from "../integration/gateway-sim/ib-api-events.js";
import { waitFor } from "../integration/gateway-sim/wait-for.js";

const MAIN = join(import.meta.dirname, "../../dist/src/main.js");
/** How long the process may take to start listening or to exit (a cold node start is well under this). */
const PROCESS_TIMEOUT_MS = 15_000;

function requireBuild(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run make build (make test does it) first`);
}

/** A running `ibkr-trader gateway-sim` with its output collected. */
interface RunningSim {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function startSim(args: string[]): RunningSim {
  requireBuild();
  const child = spawn(process.execPath, [MAIN, "gateway-sim", ...args], {
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      resolve(code);
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The port from the listening line, once printed. */
function listeningPort(sim: RunningSim): Promise<number> {
  return waitFor<number>(
    "the listening line",
    (resolve, reject) => {
      const check = (): void => {
        const match = /gateway-sim listening on 127\.0\.0\.1:(\d+) /.exec(sim.stdout());
        if (match?.[1] !== undefined) resolve(Number(match[1]));
      };
      sim.child.stdout?.on("data", check);
      void sim.exited.then((code) => {
        reject(new Error(`gateway-sim exited with ${code} before listening: ${sim.stderr()}`));
      });
      check();
      return () => sim.child.stdout?.off("data", check);
    },
    PROCESS_TIMEOUT_MS,
  );
}

describe("ibkr-trader gateway-sim as a process", () => {
  let running: RunningSim | undefined;
  let api: IBApi | undefined;

  afterEach(() => {
    api?.disconnect();
    api = undefined;
    if (running?.child.exitCode === null) running.child.kill("SIGKILL");
    running = undefined;
  });

  it("prints its port, serves a real IBApi, logs the connection as JSON and exits 0 on SIGTERM", async () => {
    running = startSim(["--port", "0", "--speed", "60", "--log-level", "info"]);
    const port = await listeningPort(running);

    api = new IBApi({ host: "127.0.0.1", port });
    const ready = waitForNextValidId(api);
    api.connect(9);
    expect(await ready).toBe(1);

    await waitFor(
      "the client connected log line",
      (resolve) => {
        const timer = setInterval(() => {
          if (running?.stderr().includes('"msg":"client connected"')) resolve(undefined);
        }, 10);
        return () => {
          clearInterval(timer);
        };
      },
      PROCESS_TIMEOUT_MS,
    );
    const connected = running
      .stderr()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((record) => record.msg === "client connected");
    expect(connected).toMatchObject({ level: 30, clientId: 9, serverVersion: 193 });

    running.child.kill("SIGTERM");
    const code = await waitFor<number | null>(
      "the process to exit",
      (resolve) => {
        void running?.exited.then(resolve);
        return () => undefined;
      },
      PROCESS_TIMEOUT_MS,
    );
    expect(code).toBe(0);
    expect(running.stdout().trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 with a one-line error for a negative --speed", () => {
    requireBuild();
    const result = spawnSync(process.execPath, [MAIN, "gateway-sim", "--speed", "-1"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "" },
      timeout: PROCESS_TIMEOUT_MS,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain('bad --speed "-1"');
  });
});
