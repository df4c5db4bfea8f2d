import type { AddressInfo } from "node:net";
import { fastify, type FastifyError, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { ConfigError } from "../core/errors.js";
import { bearerTokenMatches } from "./bearer-token.js";
import type { DaemonStatus } from "./daemon-status.js";
import { notReadyReason, type Readiness } from "./readiness.js";

/** What GET /metrics serves (DaemonMetrics is one). */
export interface MetricsEndpoint {
  readonly contentType: string;
  text(): Promise<string>;
}

/** The body of GET /healthz. */
export interface Health {
  readonly alive: true;
  readonly uptimeSeconds: number;
}

/** What the control endpoints do; they exist only while `token` is a non-empty string. */
export interface ControlPort {
  /** IBKR_CONTROL_TOKEN; undefined or empty turns POST /pause, /resume and /flatten off. */
  readonly token: string | undefined;
  pause(reason: string): void | Promise<void>;
  resume(reason: string): void | Promise<void>;
  /** Sends the orders that close every position; returns their ids. */
  flatten(reason: string): Promise<{ readonly orders: readonly string[] }>;
  /** Why control cannot act now (e.g. the daemon is still starting): answered 503; undefined = available. */
  unavailable?(): string | undefined;
}

/** The HTTP server's collaborators and where it listens. */
export interface HttpServerOptions {
  /** Default 127.0.0.1: only this machine can reach the endpoints. */
  readonly host?: string | undefined;
  /** 0 lets the OS choose (tests). */
  readonly port: number;
  readonly logger: Logger;
  readonly metrics: MetricsEndpoint;
  readonly readiness: () => Readiness;
  /** Undefined while there is no status yet (starting): answered 503 with the readiness reason. */
  readonly status: () => DaemonStatus | undefined | Promise<DaemonStatus | undefined>;
  /** Default: alive, with the process's uptime. */
  readonly health?: (() => Health) | undefined;
  readonly control?: ControlPort | undefined;
}

/** A listening server. */
export interface HttpServer {
  /** e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops listening and closes idle keep-alive connections; resolves once the port is free. */
  close(): Promise<void>;
}

const CONTROL_OFF = "control endpoints are off: set IBKR_CONTROL_TOKEN to enable them";
const MAX_REASON_LENGTH = 500;
const LISTEN_ERRORS_USERS_FIX = new Set(["EADDRINUSE", "EADDRNOTAVAIL", "EACCES"]);

/**
 * Serves health, readiness, metrics and status over HTTP (fastify), and the bearer-token control endpoints
 * when a token is configured. Binds 127.0.0.1 unless told otherwise; logs one debug line per request and
 * failures at warn through the daemon's logger, never the Authorization header.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { logger } = options;
  const host = options.host ?? "127.0.0.1";
  const app = fastify({ logger: false, bodyLimit: 16 * 1024, forceCloseConnections: "idle" });
  const health = options.health ?? (() => ({ alive: true, uptimeSeconds: Math.round(process.uptime()) }));

  app.addHook("onRequest", (_request, reply, done) => {
    void reply.header("cache-control", "no-store");
    done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    logger.debug(
      {
        event: "http.request",
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      "http request",
    );
    done();
  });
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const statusCode = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    logger.warn(
      { event: "http.failed", method: request.method, url: request.url, statusCode, error: error.message },
      "http request failed",
    );
    return reply.code(statusCode).send({ error: error.message });
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({ error: `no such endpoint: ${request.method} ${request.url}` }),
  );

  app.get("/healthz", () => health());
  app.get("/readyz", async (_request, reply) => {
    const readiness = readinessOrFailure(options.readiness, logger);
    if (readiness.ready) return { ready: true, checks: readiness.checks };
    return reply
      .code(503)
      .send({ ready: false, reason: notReadyReason(readiness), checks: readiness.checks });
  });
  app.get("/metrics", async (_request, reply) =>
    reply.header("content-type", options.metrics.contentType).send(await options.metrics.text()),
  );
  app.get("/status", async (_request, reply) => {
    const status = await options.status();
    if (status !== undefined) return status;
    return reply.code(503).send({ error: notReadyReason(readinessOrFailure(options.readiness, logger)) });
  });

  const control = options.control;
  const token = control?.token ?? "";
  // An onRequest hook, so the body of a refused request is never even parsed.
  const authorize = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (token === "") {
      void reply.code(404).send({ error: CONTROL_OFF });
      return;
    }
    if (!bearerTokenMatches(request.headers.authorization, token)) {
      logger.warn(
        { event: "http.unauthorized", url: request.url, remoteAddress: request.ip },
        "control request refused: missing or wrong bearer token",
      );
      void reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="ibkr-trader"')
        .send({ error: "missing or wrong bearer token (Authorization: Bearer <IBKR_CONTROL_TOKEN>)" });
      return;
    }
    done();
  };
  const controlRoute = (
    path: "/pause" | "/resume" | "/flatten",
    act: (port: ControlPort, reason: string) => Promise<Record<string, unknown>>,
  ): void => {
    app.post(path, { onRequest: authorize }, async (request, reply) => {
      // authorize answered 404 unless a token, and so a port, is configured.
      if (control === undefined) return reply.code(404).send({ error: CONTROL_OFF });
      const reason = reasonFrom(request.body, `POST ${path} over HTTP`);
      if (typeof reason !== "string") return reply.code(400).send({ error: reason.error });
      const unavailable = control.unavailable?.();
      if (unavailable !== undefined) return reply.code(503).send({ error: unavailable });
      logger.info(
        { event: "http.control", action: path.slice(1), reason, remoteAddress: request.ip },
        "control request",
      );
      return { action: path.slice(1), reason, ...(await act(control, reason)) };
    });
  };
  controlRoute("/pause", async (port, reason) => {
    await port.pause(reason);
    return {};
  });
  controlRoute("/resume", async (port, reason) => {
    await port.resume(reason);
    return {};
  });
  controlRoute("/flatten", async (port, reason) => {
    const { orders } = await port.flatten(reason);
    return { orders: [...orders] };
  });

  let address: AddressInfo;
  try {
    await app.listen({ host, port: options.port });
    address = app.server.address() as AddressInfo;
  } catch (error: unknown) {
    await app.close();
    throw listenError(error, host, options.port);
  }
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  if (!isLoopback(host)) {
    const clearToken = token === "" ? "" : "; the control token travels in clear over plain HTTP";
    logger.warn(
      { event: "http.exposed", url, control: token !== "" },
      `HTTP endpoints are reachable beyond this machine${clearToken}`,
    );
  }
  logger.info({ event: "http.listening", url, control: token !== "" }, "HTTP server listening");
  return Object.freeze({
    url,
    host: address.address,
    port: address.port,
    close: async () => {
      await app.close();
    },
  });
}

function readinessOrFailure(readiness: () => Readiness, logger: Logger): Readiness {
  try {
    return readiness();
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn({ event: "http.readiness-failed", error: message }, "readiness check threw");
    return {
      ready: false,
      checks: [{ name: "readiness", ok: false, reason: `readiness check failed: ${message}` }],
    };
  }
}

/** The reason from an optional JSON body `{ "reason": "..." }`, or what is wrong with the body. */
function reasonFrom(body: unknown, fallback: string): string | { error: string } {
  if (body === undefined || body === null || body === "") return fallback;
  if (typeof body !== "object" || Array.isArray(body))
    return { error: 'body must be a JSON object like {"reason": "..."}' };
  const reason: unknown = (body as Record<string, unknown>).reason;
  if (reason === undefined) return fallback;
  if (typeof reason !== "string" || reason.trim() === "")
    return { error: "reason must be a non-empty string" };
  if (reason.length > MAX_REASON_LENGTH)
    return { error: `reason must be at most ${MAX_REASON_LENGTH} characters` };
  return reason.trim();
}

function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !LISTEN_ERRORS_USERS_FIX.has(code)) return error;
  const why =
    code === "EADDRINUSE"
      ? "the port is in use"
      : code === "EACCES"
        ? "permission denied"
        : "no such address here";
  return new ConfigError(
    `HTTP server cannot listen on ${host}:${port}: ${why} (${code}); choose another host or port`,
    {
      cause: error,
    },
  );
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
