/**
 * The one place that constructs @stoqey/ib objects. The library reads `IB_HOST`, `IB_PORT`, `CLIENT_VERSION`,
 * `MAX_REQ_PER_SECOND`, … from the environment and loads `./.env` into `process.env` on first use
 * (ibkr-facts.md §6.1; `common/configuration.js`). None of that may leak into a daemon whose settings come
 * from its own config: we load the library's configuration once with those variables hidden, undo anything
 * its dotenv call added to the environment, and blank the defaults it would fall back on.
 */
import { createRequire } from "node:module";
import { IBApi, IBApiNext } from "@stoqey/ib";
import { InvariantError } from "../../core/errors.js";
import type { Scheduler } from "../../core/scheduler.js";
import { SystemScheduler } from "../../core/system-scheduler.js";
import { IbSendQueue } from "./ib-send-queue.js";

/** Environment variables @stoqey/ib 1.6.10 would read (upper case of its `envsToInclude`, plus NODE_ENV). */
const LIBRARY_ENV_KEYS = [
  "CI",
  "ENV_CONFIG_TEST",
  "IB_HOST",
  "IB_PORT",
  "IB_TEST_ACCOUNT",
  "CLIENT_VERSION",
  "MAX_REQ_PER_SECOND",
  "NODE_ENV",
] as const;

/** Defaults in the library's configuration object that would stand in for settings we did not pass. */
const LIBRARY_DEFAULTS = ["ib_host", "ib_port", "default_client_id", "max_req_per_second", "ib_test_account"];

interface LibraryConfiguration {
  get(): Record<string, unknown>;
}

let sealed = false;

/** Loads @stoqey/ib's configuration once with the environment hidden from it; idempotent. */
export function sealLibraryConfiguration(): void {
  if (sealed) return;
  const require = createRequire(import.meta.url);
  const module = require("@stoqey/ib/dist/common/configuration.js") as Partial<LibraryConfiguration>;
  if (typeof module.get !== "function") {
    throw new InvariantError("@stoqey/ib's configuration module changed shape: pin @stoqey/ib 1.6.10");
  }
  const before = { ...process.env };
  for (const key of LIBRARY_ENV_KEYS) Reflect.deleteProperty(process.env, key);
  try {
    const configuration = module.get();
    for (const key of LIBRARY_DEFAULTS) configuration[key] = undefined;
  } finally {
    for (const key of Object.keys(process.env)) {
      if (!(key in before)) Reflect.deleteProperty(process.env, key);
    }
    for (const [key, value] of Object.entries(before)) {
      if (value !== undefined) process.env[key] = value;
    }
  }
  sealed = true;
}

/** Where and how to connect; every field is explicit so no library default applies. */
export interface IbClientSettings {
  readonly host: string;
  readonly port: number;
  readonly maxRequestsPerSecond: number;
  /** Receives the library's own log lines (tag, text). */
  readonly log: (level: "error" | "warn" | "info" | "debug", tag: string, text: string) => void;
  /** Wall-clock timers for the send queue; default the system's. */
  readonly wallScheduler?: Scheduler;
}

/**
 * An IBApiNext, the IBApi underneath it (for the raw events IBApiNext does not surface, §6.4 and §6.16) and
 * our send queue in place of the library's rate limiter (§6.18).
 */
export interface IbClient {
  readonly next: IBApiNext;
  readonly raw: IBApi;
  readonly sendQueue: IbSendQueue;
  /**
   * Runs `task` after every request made so far has been encoded into the send queue: the library holds
   * requests in a command buffer of its own first (paused until NEXT_VALID_ID has been handled), in order.
   */
  afterEncoded(task: () => void): void;
}

interface LibraryController {
  rateLimiter: (message: unknown) => void;
  readonly socket: { send(message: unknown): void };
  schedule(task: () => void): void;
}

function isLibraryController(value: unknown): value is LibraryController {
  if (typeof value !== "object" || value === null) return false;
  const socket: unknown = Reflect.get(value, "socket");
  return (
    typeof Reflect.get(value, "rateLimiter") === "function" &&
    typeof Reflect.get(value, "schedule") === "function" &&
    typeof socket === "object" &&
    socket !== null &&
    typeof Reflect.get(socket, "send") === "function"
  );
}

/**
 * Replaces the library's outgoing rate limiter (controller.rateLimiter, fed by its encoder) with an
 * IbSendQueue that writes to the same socket at the same rate but can be cleared when a session ends.
 */
function libraryController(raw: IBApi): LibraryController {
  const controller: unknown = Reflect.get(raw, "controller");
  if (!isLibraryController(controller)) {
    throw new InvariantError(
      "IBApi no longer has controller.rateLimiter, .schedule and .socket.send: pin @stoqey/ib 1.6.10",
    );
  }
  return controller;
}

function installSendQueue(
  controller: LibraryController,
  maxPerSecond: number,
  scheduler: Scheduler,
): IbSendQueue {
  const socket = controller.socket;
  const queue = new IbSendQueue({
    maxPerSecond,
    scheduler,
    write: (message) => {
      socket.send(message);
    },
  });
  controller.rateLimiter = (message) => {
    queue.push(message);
  };
  return queue;
}

/**
 * Creates an IBApiNext with explicit host and port, our rate limit and send queue, the library's own
 * reconnect and watchdog off (IbConnection does both, with a fixed client id), and its logging routed to ours.
 */
export function createIbClient(settings: IbClientSettings): IbClient {
  sealLibraryConfiguration();
  const line =
    (level: "error" | "warn" | "info" | "debug") =>
    (tag: string, ...args: unknown[]): void => {
      settings.log(
        level,
        tag,
        args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(" "),
      );
    };
  const next = new IBApiNext({
    host: settings.host,
    port: settings.port,
    reconnectInterval: 0,
    connectionWatchdogInterval: 0,
    maxReqPerSec: settings.maxRequestsPerSecond,
    logger: { error: line("error"), warn: line("warn"), info: line("info"), debug: line("debug") },
  });
  // IBApiNext keeps its IBApi private; the raw events we need are only there. Checked, so a library
  // upgrade that moves it fails loudly here instead of silently losing events.
  const raw: unknown = Reflect.get(next, "api");
  if (!(raw instanceof IBApi)) {
    throw new InvariantError("IBApiNext no longer holds an IBApi in .api: pin @stoqey/ib 1.6.10");
  }
  const controller = libraryController(raw);
  const sendQueue = installSendQueue(
    controller,
    settings.maxRequestsPerSecond,
    settings.wallScheduler ?? new SystemScheduler(),
  );
  return {
    next,
    raw,
    sendQueue,
    afterEncoded: (task) => {
      controller.schedule(task);
    },
  };
}
