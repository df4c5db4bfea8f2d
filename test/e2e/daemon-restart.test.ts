import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAIN, until } from "./daemon-kit.js";

// The compiled daemon as a child process against a gateway-sim process that outlives it, the way a daemon
// under systemd or pm2 runs against a Gateway: readiness while it waits for the Gateway and after it has
// reconciled, the control endpoints with a token, a stop during the start, and an uncaught error followed
// by a restart that reconciles against the same account and state file.

const CRASH_FIXTURE = join(import.meta.dirname, "../../dist/test/fixtures/crash-on-signal.js");
const TOKEN = "e2e-control-token";

type LogLine = Record<string, unknown>;

/** A child process with its JSON log lines (stdout) and its exit code. */
interface Running {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function requireBuild(): void {
  for (const file of [MAIN, CRASH_FIXTURE]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run make build (make test does it) first`);
  }
}

function run(args: readonly string[], env: Record<string, string>, cwd: string): Running {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? "", ...env } });
  children.push(child);
  const lines: LogLine[] = [];
  let all = "";
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    all += text;
    buffered += text;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const part of parts) {
      if (part.trim().startsWith("{")) lines.push(JSON.parse(part) as LogLine);
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    all += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      resolve(code);
    });
  });
  return { child, lines, output: () => all, exited };
}

/** Waits for `check`, giving up at once (with the process's output) if `proc` exits first. */
function waitFor<T>(check: () => T | undefined, what: string, timeoutMs: number, proc: Running): Promise<T> {
  return until(check, what, timeoutMs, () =>
    proc.child.exitCode === null
      ? undefined
      : `exited with ${proc.child.exitCode}:\n${proc.output().slice(-3000)}`,
  );
}

/** A loopback port the OS chose and freed again, for a gateway-sim started after the daemon. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function event(proc: Running, name: string): LogLine | undefined {
  return proc.lines.find((line) => line.event === name);
}

function startDaemon(port: number, dataDir: string, cwd: string, crashable = false): Running {
  return run(
    [
      ...(crashable ? ["--import", CRASH_FIXTURE] : []),
      MAIN,
      "run",
      "--source",
      "ibkr",
      "--broker",
      "ibkr",
      "--port",
      String(port),
      "--symbols",
      "SPY",
      "--timeframe",
      "5s",
      "--strategy",
      "sma",
      "--warmup",
      "20",
      "--stop-timeout",
      "20",
    ],
    {
      HTTP_PORT: "0",
      DATA_DIR: dataDir,
      IBKR_CONTROL_TOKEN: TOKEN,
      IBKR_TIMEZONE: "UTC",
      IBKR_RECONNECT_DELAY: "1",
      IBKR_MAX_RECONNECT_DELAY: "1",
    },
    cwd,
  );
}

/** The HTTP server is up before the daemon connects: its URL is in the http.listening line. */
async function httpUrl(daemon: Running): Promise<string> {
  const line = await waitFor(
    () => event(daemon, "http.listening"),
    "the HTTP server listens",
    20_000,
    daemon,
  );
  return String(line.url);
}

function control(url: string, path: string, token?: string): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

async function statusOf(url: string): Promise<{ tradingState: string; mode: string; account: string }> {
  return (await (await fetch(`${url}/status`)).json()) as {
    tradingState: string;
    mode: string;
    account: string;
  };
}

describe("ibkr-trader run against a gateway-sim process (supervised service behaviour)", () => {
  it("stops at once, exit 0, on SIGTERM while it still waits for the Gateway", async () => {
    requireBuild();
    const cwd = mkdtempSync(join(tmpdir(), "ibkr-restart-"));
    dirs.push(cwd);
    const daemon = startDaemon(await freePort(), join(cwd, "data"), cwd);
    const url = await httpUrl(daemon);
    await waitFor(() => event(daemon, "connection.failed"), "a failed connect", 20_000, daemon);

    const readyz = await fetch(`${url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(((await readyz.json()) as { reason: string }).reason).toContain("connecting to TWS / Gateway");
    daemon.child.kill("SIGTERM");

    expect(await daemon.exited).toBe(0);
    expect(event(daemon, "daemon.stopped")?.reason).toBe("SIGTERM during the start (connecting)");
  }, 60_000);

  it("is not ready until connected and reconciled, takes control with the token only, and after an uncaught error exits 1 and restarts into a reconciled daemon on the same state", async () => {
    requireBuild();
    const cwd = mkdtempSync(join(tmpdir(), "ibkr-restart-"));
    dirs.push(cwd);
    const dataDir = join(cwd, "data");
    const port = await freePort();
    const first = startDaemon(port, dataDir, cwd, true);
    const url = await httpUrl(first);

    // Before the Gateway exists: alive, not ready with the reason, no status, control not yet possible.
    await waitFor(() => event(first, "connection.failed"), "a failed connect", 20_000, first);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const before = await fetch(`${url}/readyz`);
    expect(before.status).toBe(503);
    const notReady = (await before.json()) as {
      ready: boolean;
      reason: string;
      checks: { name: string; ok: boolean }[];
    };
    expect(notReady.ready).toBe(false);
    expect(notReady.reason).toBe("starting: connecting to TWS / Gateway");
    expect(notReady.checks.find((check) => check.name === "reconciled")?.ok).toBe(false);
    expect((await fetch(`${url}/status`)).status).toBe(503);
    expect((await control(url, "/pause", TOKEN)).status).toBe(503);

    // The Gateway comes up (wall clock, live data): the daemon connects, reconciles and becomes ready.
    const sim = run([MAIN, "gateway-sim", "--port", String(port), "--speed", "1", "--live-data"], {}, cwd);
    await waitFor(() => event(first, "daemon.ready"), "the daemon is ready", 60_000, first);
    expect(first.lines.findIndex((line) => line.event === "reconcile.done")).toBeLessThan(
      first.lines.findIndex((line) => line.event === "daemon.ready"),
    );
    // Ready once its feeds are fresh too (outside trading hours they are not waited for).
    const after = await until(
      async () => {
        const response = await fetch(`${url}/readyz`);
        return response.status === 200
          ? ((await response.json()) as { checks: { name: string; ok: boolean }[] })
          : undefined;
      },
      "readyz answers 200",
      60_000,
    );
    expect(after.checks.map((check) => [check.name, check.ok])).toEqual([
      ["connected", true],
      ["reconciled", true],
      ["feeds", true],
    ]);

    // Control: refused without or with a wrong token; with it, pause halts trading and resume restores it.
    expect((await control(url, "/pause")).status).toBe(401);
    expect((await control(url, "/pause", "wrong")).status).toBe(401);
    expect((await statusOf(url)).tradingState).toBe("active");
    const paused = await control(url, "/pause", TOKEN);
    expect(paused.status).toBe(200);
    expect((await statusOf(url)).tradingState).toBe("halted");
    expect((await control(url, "/resume", TOKEN)).status).toBe(200);
    expect((await statusOf(url)).tradingState).toBe("active");
    const flatten = await control(url, "/flatten", TOKEN);
    expect(flatten.status).toBe(200);
    expect((await flatten.json()) as { action: string }).toMatchObject({ action: "flatten" });
    expect((await statusOf(url)).tradingState).toBe("reducing-only");

    // An uncaught error: logged with its context, exit 1 so the supervisor restarts the daemon.
    first.child.kill("SIGUSR2");
    expect(await first.exited).toBe(1);
    const crashed = event(first, "daemon.crashed");
    expect(crashed).toMatchObject({
      origin: "uncaughtException",
      phase: "running",
      mode: "paper",
      account: "DU***567",
    });
    expect(String(crashed?.error)).toContain("injected fault: SIGUSR2");
    expect(crashed?.connection).toBe("ready");
    expect(crashed?.level).toBe(60);
    const stateFiles = readdirSync(dataDir).filter(
      (file) => file.startsWith("state-") && file.endsWith(".sqlite"),
    );
    expect(stateFiles).toEqual(["state-paper-DU1234567.sqlite"]);

    // The restart (what systemd or pm2 does) reconciles against the same account and state file.
    const second = startDaemon(port, dataDir, cwd);
    await waitFor(() => event(second, "daemon.ready"), "the restarted daemon is ready", 60_000, second);
    expect(event(second, "reconcile.done")).toBeDefined();
    expect(second.lines.some((line) => String(line.event).startsWith("reconcile.position_mismatch"))).toBe(
      false,
    );
    expect(
      readdirSync(dataDir).filter((file) => file.startsWith("state-") && file.endsWith(".sqlite")),
    ).toEqual(stateFiles);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(event(second, "daemon.stopped")).toBeDefined();
    sim.child.kill("SIGTERM");
    await sim.exited;
  }, 180_000);
});
