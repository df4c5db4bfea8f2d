import { createServer } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../core/errors.js";
import { ManualClock } from "../core/manual-clock.js";
import { DaemonMetrics } from "./daemon-metrics.js";
import type { DaemonStatus } from "./daemon-status.js";
import { startHttpServer, type ControlPort, type HttpServer, type HttpServerOptions } from "./http-server.js";
import type { MetricsSnapshot } from "./metrics-snapshot.js";
import { readinessOf, type Readiness } from "./readiness.js";

const T0 = Date.UTC(2026, 0, 5, 15, 0, 0);
const TOKEN = "s3cret-control-token";

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const logger = pino(
    { level: "debug" },
    {
      write: (line: string) => {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines, raw };
}

const aStatus: DaemonStatus = {
  mode: "paper",
  account: "DU***567",
  source: "sim",
  broker: "sim",
  symbols: ["SPY"],
  timeframe: "1m",
  strategy: "sma-crossover",
  tradingState: "active",
  connection: "ready",
  positions: [
    { symbol: "SPY", quantity: "10", averageCost: "500.25", unrealizedPnl: "12.5", realizedPnl: "0" },
  ],
  openOrders: [],
  equity: "100012.5",
  cash: "94997.5",
  feeds: [{ symbol: "SPY", lastBarAgeSeconds: 12, state: "live" }],
  startedAt: "2026-01-05T14:00:00.000Z",
  uptimeSeconds: 3600,
};

function aControl(token: string | undefined) {
  return {
    token,
    pause: vi.fn<(reason: string) => void>(),
    resume: vi.fn<(reason: string) => void>(),
    flatten: vi.fn((reason: string) => Promise.resolve({ orders: [`flatten-${reason.length}`] })),
  } satisfies ControlPort;
}

async function start(overrides: Partial<HttpServerOptions> = {}) {
  const log = capturedLogger();
  const metrics = new DaemonMetrics({ clock: new ManualClock(T0), defaultMetrics: false });
  const server = await startHttpServer({
    port: 0,
    logger: log.logger,
    metrics,
    readiness: () => readinessOf([{ name: "connected", ok: true }]),
    status: () => aStatus,
    ...overrides,
  });
  servers.push(server);
  return { server, log, metrics };
}

function post(server: HttpServer, path: string, init: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

describe("startHttpServer", () => {
  it("binds 127.0.0.1 by default on the port the OS chose", async () => {
    const { server } = await start();

    expect(server.host).toBe("127.0.0.1");
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it("answers /healthz with alive and the uptime", async () => {
    const { server } = await start({ health: () => ({ alive: true, uptimeSeconds: 42 }) });

    const response = await fetch(`${server.url}/healthz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ alive: true, uptimeSeconds: 42 });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("answers /healthz with the process uptime when no health function is given", async () => {
    const { server } = await start();

    const body = (await (await fetch(`${server.url}/healthz`)).json()) as {
      alive: boolean;
      uptimeSeconds: number;
    };

    expect(body.alive).toBe(true);
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it("answers /readyz 503 with the first failing reason, then 200 once every check passes", async () => {
    let readiness: Readiness = readinessOf([
      { name: "connected", ok: true },
      { name: "reconciled", ok: false, reason: "reconciliation has not run since the connection came up" },
      { name: "feeds-fresh", ok: false, reason: "feed SPY: no bar for 312 s" },
    ]);
    const { server } = await start({ readiness: () => readiness });

    const notReady = await fetch(`${server.url}/readyz`);
    const notReadyBody = (await notReady.json()) as { ready: boolean; reason: string; checks: unknown[] };
    readiness = readinessOf([{ name: "connected", ok: true }]);
    const ready = await fetch(`${server.url}/readyz`);

    expect(notReady.status).toBe(503);
    expect(notReadyBody.ready).toBe(false);
    expect(notReadyBody.reason).toBe("reconciliation has not run since the connection came up");
    expect(notReadyBody.checks).toHaveLength(3);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: [{ name: "connected", ok: true }] });
  });

  it("answers /readyz 503 with the error when the readiness function throws", async () => {
    const { server } = await start({
      readiness: () => {
        throw new Error("store closed");
      },
    });

    const response = await fetch(`${server.url}/readyz`);

    expect(response.status).toBe(503);
    expect(((await response.json()) as { reason: string }).reason).toBe(
      "readiness check failed: store closed",
    );
  });

  it("serves every named series on /metrics in Prometheus text format", async () => {
    const log = capturedLogger();
    const clock = new ManualClock(T0);
    const snapshot: MetricsSnapshot = {
      equity: 100_012.5,
      cash: 94_997.5,
      positions: [{ symbol: "SPY", quantity: 10, unrealizedPnl: 12.5, realizedPnl: 0, ib: { quantity: 10 } }],
      openOrdersByState: { Accepted: 1 },
      pnl: { ours: { unrealized: 12.5 }, ib: { daily: 11, unrealized: 12 } },
    };
    const metrics = new DaemonMetrics({ clock, snapshot: () => snapshot });
    const server = await startHttpServer({
      port: 0,
      logger: log.logger,
      metrics,
      readiness: () => readinessOf([]),
      status: () => aStatus,
    });
    servers.push(server);
    metrics.connectionState("ready");
    metrics.ibError(1100);
    metrics.usePacingSource(() => ({ queued: 2, pacingViolations: 0 }));
    metrics.barClosed("SPY", T0 - 30_000);
    metrics.filled("SPY");

    const response = await fetch(`${server.url}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    for (const series of [
      "ibkr_connected 1",
      "ibkr_reconnects_total 0",
      'ibkr_ib_errors_total{code="1100"} 1',
      "ibkr_pacing_queue 2",
      "ibkr_pacing_violations_total 0",
      'ibkr_last_bar_age_seconds{symbol="SPY"} 30',
      'ibkr_orders{state="Accepted"} 1',
      'ibkr_fills_total{symbol="SPY"} 1',
      'ibkr_position{symbol="SPY",source="ours"} 10',
      "ibkr_equity 100012.5",
      'ibkr_pnl{source="ib",kind="daily"} 11',
      "ibkr_bar_to_order_seconds_count 0",
      "ibkr_order_to_ack_seconds_count 0",
      "ibkr_order_to_fill_seconds_count 0",
    ]) {
      expect(text).toContain(`\n${series}\n`);
    }
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it("serves new values on the next scrape after the daemon updates the metrics", async () => {
    const { server, metrics } = await start();
    const before = await (await fetch(`${server.url}/metrics`)).text();

    metrics.reconnected();
    metrics.usePacingSource(() => ({ queued: 0, pacingViolations: 1 }));
    metrics.observeOrderToFill(120);
    const after = await (await fetch(`${server.url}/metrics`)).text();

    expect(before).toContain("\nibkr_reconnects_total 0\n");
    expect(after).toContain("\nibkr_reconnects_total 1\n");
    expect(after).toContain("\nibkr_pacing_violations_total 1\n");
    expect(after).toContain("\nibkr_order_to_fill_seconds_count 1\n");
  });

  it("serves the status as JSON", async () => {
    const { server } = await start();

    const response = await fetch(`${server.url}/status`);

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual(aStatus);
  });

  it("answers /status 503 with the readiness reason while there is no status yet (starting)", async () => {
    const { server } = await start({
      status: () => undefined,
      readiness: () =>
        readinessOf([{ name: "connected", ok: false, reason: "starting: connecting to TWS / Gateway" }]),
    });

    const response = await fetch(`${server.url}/status`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: "starting: connecting to TWS / Gateway" });
  });

  it("answers 500 with the error and logs it at warn when the status cannot be built", async () => {
    const { server, log } = await start({
      status: () => {
        throw new Error("ledger closed");
      },
    });

    const response = await fetch(`${server.url}/status`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "ledger closed" });
    expect(log.lines).toContainEqual(
      expect.objectContaining({ level: 40, event: "http.failed", url: "/status" }),
    );
  });

  it("answers an unknown route with a JSON 404", async () => {
    const { server } = await start();

    const response = await fetch(`${server.url}/nope`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "no such endpoint: GET /nope" });
  });

  it("logs one debug line per request", async () => {
    const { server, log } = await start();

    await (await fetch(`${server.url}/healthz`)).text();
    await server.close();

    const requests = log.lines.filter((line) => line.event === "http.request");
    expect(requests).toEqual([
      expect.objectContaining({ level: 20, method: "GET", url: "/healthz", statusCode: 200 }),
    ]);
  });

  describe("control endpoints", () => {
    it.each(["/pause", "/resume", "/flatten"])(
      "are off without a token: POST %s answers 404",
      async (path) => {
        const control = aControl(undefined);
        const { server } = await start({ control });

        const response = await post(server, path, { token: "anything" });

        expect(response.status).toBe(404);
        expect(await response.json()).toEqual({
          error: "control endpoints are off: set IBKR_CONTROL_TOKEN to enable them",
        });
        expect(control.pause).not.toHaveBeenCalled();
        expect(control.flatten).not.toHaveBeenCalled();
      },
    );

    it("are off with an empty token", async () => {
      const control = aControl("");
      const { server } = await start({ control });

      const response = await post(server, "/pause", { token: "" });

      expect(response.status).toBe(404);
      expect(control.pause).not.toHaveBeenCalled();
    });

    it("are off when no control port is given", async () => {
      const { server } = await start();

      expect((await post(server, "/flatten", { token: TOKEN })).status).toBe(404);
    });

    it("refuse a request without a bearer token with 401 and WWW-Authenticate", async () => {
      const control = aControl(TOKEN);
      const { server } = await start({ control });

      const response = await post(server, "/pause", { body: { reason: "lunch" } });

      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(control.pause).not.toHaveBeenCalled();
    });

    it("refuse a wrong bearer token with 401", async () => {
      const control = aControl(TOKEN);
      const { server } = await start({ control });

      const response = await post(server, "/flatten", { token: `${TOKEN}x` });

      expect(response.status).toBe(401);
      expect(control.flatten).not.toHaveBeenCalled();
    });

    it("pause with the reason from the body", async () => {
      const control = aControl(TOKEN);
      const { server } = await start({ control });

      const response = await post(server, "/pause", { token: TOKEN, body: { reason: "FOMC at 14:00" } });

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ action: "pause", reason: "FOMC at 14:00" });
      expect(control.pause).toHaveBeenCalledWith("FOMC at 14:00");
    });

    it("resume with a default reason when there is no body", async () => {
      const control = aControl(TOKEN);
      const { server } = await start({ control });

      const response = await post(server, "/resume", { token: TOKEN });

      expect(response.status).toBe(200);
      expect(control.resume).toHaveBeenCalledWith("POST /resume over HTTP");
    });

    it("flatten and answer with the orders sent", async () => {
      const control = aControl(TOKEN);
      const { server } = await start({ control });

      const response = await post(server, "/flatten", { token: TOKEN, body: { reason: "end of test" } });

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        action: "flatten",
        reason: "end of test",
        orders: ["flatten-11"],
      });
      expect(control.flatten).toHaveBeenCalledWith("end of test");
    });

    it("answer 503 with the reason, acting on nothing, while the port says it is unavailable", async () => {
      let unavailable: string | undefined = "starting: reconciling";
      const control = { ...aControl(TOKEN), unavailable: () => unavailable };
      const { server } = await start({ control });

      const refused = await post(server, "/pause", { token: TOKEN });
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({ error: "starting: reconciling" });
      expect(control.pause).not.toHaveBeenCalled();
      expect((await post(server, "/pause")).status).toBe(401);

      unavailable = undefined;
      expect((await post(server, "/pause", { token: TOKEN })).status).toBe(200);
      expect(control.pause).toHaveBeenCalledTimes(1);
    });

    it("refuse a reason that is not a string with 400", async () => {
      const control = aControl(TOKEN);
      const { server } = await start({ control });

      const response = await post(server, "/pause", { token: TOKEN, body: { reason: 42 } });

      expect(response.status).toBe(400);
      expect(control.pause).not.toHaveBeenCalled();
    });

    it("answer 500 with the error when the action fails, and log it at warn", async () => {
      const control = { ...aControl(TOKEN), flatten: () => Promise.reject(new Error("not connected")) };
      const { server, log } = await start({ control });

      const response = await post(server, "/flatten", { token: TOKEN });

      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: "not connected" });
      expect(log.lines).toContainEqual(expect.objectContaining({ level: 40, event: "http.failed" }));
    });

    it("never write the token to the log", async () => {
      const control = aControl(TOKEN);
      const { server, log } = await start({ control });

      await post(server, "/pause", { token: TOKEN, body: { reason: "check logs" } });
      await post(server, "/pause", { token: `${TOKEN}-wrong` });
      await server.close();

      expect(log.raw.length).toBeGreaterThan(0);
      expect(log.raw.join("")).not.toContain(TOKEN);
    });
  });

  it("frees the port on close", async () => {
    const { server } = await start();
    await (await fetch(`${server.url}/healthz`)).text();

    await server.close();

    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    const again = await start({ port: server.port });
    expect(again.server.port).toBe(server.port);
  });

  it("fails with a ConfigError naming the address when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;

    try {
      const attempt = start({ port });

      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(attempt).rejects.toThrow(`127.0.0.1:${port}: the port is in use`);
    } finally {
      await new Promise<void>((resolve) =>
        blocker.close(() => {
          resolve();
        }),
      );
    }
  });
});
