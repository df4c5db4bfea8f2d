import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MAIN, PAPER_SIM_FLAGS, until } from "./daemon-kit.js";

const ROOT = resolve(import.meta.dirname, "../..");
const ECOSYSTEM = join(ROOT, "deploy/pm2/ecosystem.config.cjs");
const PM2 = join(ROOT, "node_modules/.bin/pm2");
const APP = "ibkr-trader";

/** What one pm2 command printed and how it ended. */
interface Pm2Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/** The fields of one `pm2 jlist` entry this suite relies on. */
interface Pm2Process {
  readonly name: string;
  readonly pid: number;
  readonly pm2_env: {
    readonly status: string;
    readonly restart_time: number;
    readonly exit_code?: number;
    readonly pm_out_log_path: string;
    readonly pm_err_log_path: string;
  };
}

/** One JSON log line of the daemon (pino). */
type LogLine = Record<string, unknown>;

/** Runs the pm2 CLI as a user types it, from the repository root, with exactly `env`. */
function pm2(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Pm2Result> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(PM2, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`pm2 ${args.join(" ")} did not return within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}

/** pm2 exits 0 on success; anything else fails the test with what it printed. */
function succeeded(result: Pm2Result, what: string): Pm2Result {
  if (result.code !== 0) {
    throw new Error(`${what} exited ${String(result.code)}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** The app of `pm2 jlist`, or undefined when pm2 does not list it. */
async function jlist(env: NodeJS.ProcessEnv): Promise<Pm2Process | undefined> {
  const { stdout } = succeeded(await pm2(["jlist"], env), "pm2 jlist");
  let processes: unknown;
  try {
    processes = JSON.parse(stdout);
  } catch {
    throw new Error(`pm2 jlist did not print JSON:\n${stdout}`);
  }
  if (!Array.isArray(processes)) throw new Error(`pm2 jlist did not print an array:\n${stdout}`);
  return (processes as Pm2Process[]).find((entry) => entry.name === APP);
}

/** The JSON lines of a pm2 log file so far (pm2 writes the app's stdout there as it comes). */
function logLines(path: string): LogLine[] {
  if (!existsSync(path)) return [];
  const lines: LogLine[] = [];
  for (const text of readFileSync(path, "utf8").split("\n")) {
    if (!text.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      // A line pm2 is still writing: the next read has it whole.
    }
  }
  return lines;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** The last `count` lines of a file, for a failure message. */
function tail(path: string, count = 40): string {
  if (!existsSync(path)) return `(${path} does not exist)`;
  return `${path}:\n${readFileSync(path, "utf8").split("\n").slice(-count).join("\n")}`;
}

/** The process file's kill_timeout: a graceful stop must end well before pm2 falls back to SIGKILL. */
function killTimeoutMs(): number {
  const require = createRequire(import.meta.url);
  const ecosystem = require(ECOSYSTEM) as { apps: { name: string; kill_timeout: number }[] };
  const app = ecosystem.apps.find((entry) => entry.name === APP);
  if (app === undefined) throw new Error(`${ECOSYSTEM} has no app ${APP}`);
  return app.kill_timeout;
}

describe("the pm2 process file (deploy/pm2/ecosystem.config.cjs) with pm2's own CLI", () => {
  it("pm2 start returns once the daemon is ready, serves health and readiness, and pm2 stop ends it gracefully with SIGINT", async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run make build (make test does it) first`);
    if (!existsSync(PM2)) throw new Error(`${PM2} is missing: run npm ci (make install does it) first`);
    const directory = mkdtempSync(join(tmpdir(), "ibkr-pm2-"));
    const pm2Home = join(directory, "pm2");
    // Only what the test chooses: no IBKR_* of the developer's shell, no other pm2 God daemon (PM2_HOME).
    // The node running this test comes first in PATH, so pm2 and the daemon run on it.
    const env: NodeJS.ProcessEnv = {
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
      PM2_HOME: pm2Home,
      IBKR_TRADER_FLAGS: PAPER_SIM_FLAGS.join(" "),
      HTTP_PORT: "0",
      DATA_DIR: join(directory, "data"),
    };
    let outLog = join(pm2Home, "logs", `${APP}-out.log`);
    let errLog = join(pm2Home, "logs", `${APP}-error.log`);
    let pid: number | undefined;
    try {
      // 1. wait_ready: pm2 start returns only after the daemon's process.send("ready").
      const start = succeeded(await pm2(["start", ECOSYSTEM], env), "pm2 start");
      const startReturnedAt = Date.now();
      const online = await jlist(env);
      expect(online).toBeDefined();
      outLog = online!.pm2_env.pm_out_log_path;
      errLog = online!.pm2_env.pm_err_log_path;
      const ready = logLines(outLog).find((line) => line.event === "daemon.ready");
      expect(ready, "daemon.ready is in the out log when pm2 start returns").toBeDefined();
      expect(ready!.time as number).toBeLessThanOrEqual(startReturnedAt);
      expect(online!.pm2_env.status).toBe("online");
      expect(online!.pm2_env.restart_time).toBe(0);
      pid = online!.pid;
      expect(pid).toBeGreaterThan(0);
      expect(ready!.pid).toBe(pid);
      // The environment of `pm2 start` reached the daemon: the sim source, the temp DATA_DIR, port 0.
      const started = logLines(outLog).find((line) => line.event === "daemon.started");
      expect(started).toMatchObject({ mode: "paper", source: "sim", broker: "ibkr", symbols: ["SPY"] });
      const stateOpened = logLines(outLog).find((line) => line.event === "orders.state_opened");
      expect(String(stateOpened?.path)).toContain(join(directory, "data"));
      const url = String(ready!.url);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(url).not.toMatch(/:0$/);
      console.info(`pm2 start took ${start.elapsedMs} ms (God daemon spawn included)`);

      // 2. health and readiness over HTTP.
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const readyz = await fetch(`${url}/readyz`);
      expect([200, 503]).toContain(readyz.status);
      const readiness = (await readyz.json()) as { ready: unknown; checks: unknown };
      expect(readiness.ready).toBe(readyz.status === 200);
      expect(Array.isArray(readiness.checks)).toBe(true);
      for (const check of readiness.checks as unknown[]) {
        expect(check).toMatchObject({
          name: expect.any(String) as unknown,
          ok: expect.any(Boolean) as unknown,
        });
      }

      // 3. pm2 stop sends SIGINT; the daemon stops gracefully and exits 0 well before kill_timeout (SIGKILL).
      const stop = succeeded(await pm2(["stop", APP], env, killTimeoutMs() + 30_000), "pm2 stop");
      console.info(`pm2 stop took ${stop.elapsedMs} ms`);
      expect(stop.elapsedMs).toBeLessThan(killTimeoutMs());
      expect(isAlive(pid)).toBe(false);
      const stopped = await until(
        () => logLines(outLog).find((line) => line.event === "daemon.stopped"),
        "daemon.stopped is in the out log",
        5_000,
      );
      expect(stopped.reason).toBe("SIGINT");
      expect(logLines(outLog).find((line) => line.event === "daemon.stopping")).toMatchObject({
        reason: "SIGINT",
      });
      expect(logLines(outLog).find((line) => line.event === "daemon.stop_timeout")).toBeUndefined();
      const after = await jlist(env);
      expect(after?.pm2_env.status).toBe("stopped");
      expect(after?.pm2_env.exit_code).toBe(0);
      expect(after?.pm2_env.restart_time).toBe(0);
    } catch (error) {
      console.error(
        [tail(outLog), tail(errLog), tail(join(pm2Home, "pm2.log"))].join("\n\n"),
        "\n(pm2 logs above: the test failed)",
      );
      throw error;
    } finally {
      // 4. Never leave pm2's God daemon (or the daemon) running, whatever happened above.
      const godPidFile = join(pm2Home, "pm2.pid");
      const godPid = existsSync(godPidFile) ? Number(readFileSync(godPidFile, "utf8").trim()) : undefined;
      await pm2(["delete", APP], env).catch(() => undefined);
      await pm2(["kill"], env).catch(() => undefined);
      for (const leftover of [pid, godPid]) {
        if (leftover !== undefined && leftover > 0 && isAlive(leftover)) process.kill(leftover, "SIGKILL");
      }
      rmSync(directory, { recursive: true, force: true });
    }
  }, 150_000);
});
