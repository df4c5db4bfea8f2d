import { createServer, type Server, type Socket } from "node:net";
import type { Clock } from "../../core/clock.js";
import { ConfigError, InvariantError } from "../../core/errors.js";
import { isWireSafe } from "../protocol/ascii-text.js";
import {
  isSupportedServerVersion,
  MAX_SUPPORTED_SERVER_VERSION,
  MIN_SUPPORTED_SERVER_VERSION,
} from "../protocol/server-versions.js";
import { INT32_MAX } from "../protocol/unset-values.js";
import { ClientRegistry, type ClientRegistryEvent } from "./client-registry.js";
import { ClientSession } from "./client-session.js";
import { createConnectionRequestHandlers } from "./connection-request-handlers.js";
import { silentLogger, type GatewaySimLogger } from "./gateway-sim-logger.js";
import { OrderIdBook } from "./order-id-book.js";
import type { RequestHandlerTable, SessionStartListener } from "./request-handler.js";
import type { TwsErrorMessage } from "../protocol/server-messages.js";

/** How to run a GatewaySimServer. */
export interface GatewaySimServerOptions {
  /** Source of the connection time and CURRENT_TIME. */
  readonly clock: Clock;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** TCP port; default 0 (any free port, reported by start()). */
  readonly port?: number;
  /** Highest server version to negotiate, 176..193; default 193. */
  readonly maxServerVersion?: number;
  /** Accounts announced in MANAGED_ACCTS; default ["DU1234567"]. */
  readonly accounts?: readonly string[];
  readonly logger?: GatewaySimLogger;
  /** First NEXT_VALID_ID of every client id; default 1. Not together with `orderIds`. */
  readonly firstOrderId?: number;
  /**
   * The order id book NEXT_VALID_ID is read from at START_API and on REQ_IDS; pass the order simulator's
   * (AccountBook.orderIds) so that a reconnecting client is told an id above every one it used. Default a
   * book of the server's own, starting at `firstOrderId`.
   */
  readonly orderIds?: OrderIdBook;
  /** Told about every session after its start-up messages, in order (e.g. the order simulator's replay). */
  readonly sessionStartListeners?: readonly SessionStartListener[];
  /** Extra request handlers by message id; they replace built-in ones with the same id. */
  readonly requestHandlers?: RequestHandlerTable;
}

interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly maxServerVersion: number;
  readonly accounts: readonly string[];
  readonly firstOrderId: number;
}

/**
 * A TWS / IB Gateway stand-in on a TCP port: accepts API clients, speaks the v100+ protocol through one
 * ClientSession per connection and keeps the state shared between them (client ids, order ids).
 */
export class GatewaySimServer {
  private readonly settings: ResolvedOptions;
  private readonly clock: Clock;
  private readonly logger: GatewaySimLogger;
  private readonly handlers: RequestHandlerTable;
  private readonly registry = new ClientRegistry();
  private readonly orderIds: OrderIdBook;
  private readonly sessions = new Set<ClientSession>();
  private readonly sessionStartListeners: readonly SessionStartListener[];
  private server: Server | undefined;
  private boundPort: number | undefined;
  private suspended = false;
  private latencyMs = 0;
  private nextSessionId = 1;

  constructor(options: GatewaySimServerOptions) {
    this.settings = resolveOptions(options);
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    if (options.orderIds !== undefined && options.firstOrderId !== undefined) {
      throw new ConfigError("give either firstOrderId or orderIds (which has its own first id), not both");
    }
    this.orderIds = options.orderIds ?? new OrderIdBook(this.settings.firstOrderId);
    this.sessionStartListeners = [...(options.sessionStartListeners ?? [])];
    this.handlers = new Map([...createConnectionRequestHandlers(), ...(options.requestHandlers ?? [])]);
  }

  /** The port clients connect to, once start() has bound it (kept across suspend and resume). */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** Starts listening; resolves with the bound port once clients can connect. */
  async start(): Promise<{ port: number }> {
    if (this.server !== undefined || this.boundPort !== undefined) {
      throw new InvariantError("gateway-sim server is already started");
    }
    const port = await this.listen(this.settings.port);
    this.boundPort = port;
    return { port };
  }

  /**
   * Goes down as a restarting Gateway does: drops every connection and stops listening, so that connects
   * are refused, while keeping what outlives sessions (order ids, and whatever the handlers keep). Resolves
   * once the port is closed.
   */
  async suspend(): Promise<void> {
    if (this.boundPort === undefined || this.suspended) {
      throw new InvariantError("only a listening gateway-sim server can be suspended");
    }
    this.suspended = true;
    const server = this.server;
    this.server = undefined;
    // Closing first stops new connections at once; its callback waits for the dropped ones to end.
    const closed = server === undefined ? Promise.resolve() : closeServer(server);
    await this.dropAllConnections();
    await closed;
    this.logger.info({ port: this.boundPort }, "gateway-sim suspended: refusing connections");
  }

  /** Listens again on the port start() bound, after suspend(). */
  async resume(): Promise<{ port: number }> {
    const port = this.boundPort;
    if (port === undefined || !this.suspended) {
      throw new InvariantError("only a suspended gateway-sim server can be resumed");
    }
    await this.listen(port);
    this.suspended = false;
    return { port };
  }

  /** Drops every client connection at once, as a crashing or restarting Gateway does; resolves once all are closed. */
  async dropAllConnections(): Promise<void> {
    const sessions = [...this.sessions];
    for (const session of sessions) session.destroy();
    await Promise.all(sessions.map((session) => session.closed));
  }

  /** Sends `notice` (an ERR_MSG with id −1 such as 1100) to every client past START_API; returns how many. */
  broadcast(notice: TwsErrorMessage): number {
    let sent = 0;
    for (const session of this.sessions) if (session.sendNotice(notice)) sent += 1;
    return sent;
  }

  /** Holds every message to every client back by `latencyMs` of wall time from now on, keeping their order. */
  setLatencyMs(latencyMs: number): void {
    if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) {
      throw new ConfigError(`latency ${latencyMs} ms must be a finite number >= 0`);
    }
    this.latencyMs = latencyMs;
  }

  /** The injected latency of outgoing messages, in wall milliseconds. */
  get outboundLatencyMs(): number {
    return this.latencyMs;
  }

  private async listen(port: number): Promise<number> {
    const server = createServer((socket) => {
      this.accept(socket);
    });
    this.server = server;
    return await new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        this.server = undefined;
        reject(error);
      };
      server.once("error", onError);
      server.listen(port, this.settings.host, () => {
        server.off("error", onError);
        server.on("error", (error: Error) => {
          this.logger.warn({ error: error.message }, "gateway-sim server error");
        });
        const address = server.address();
        const bound = typeof address === "object" && address !== null ? address.port : port;
        this.logger.info(
          { host: this.settings.host, port: bound, maxServerVersion: this.settings.maxServerVersion },
          "gateway-sim listening",
        );
        resolve(bound);
      });
    });
  }

  /** Stops accepting clients, drops every connection and resolves once all are closed and the port is free. */
  async stop(): Promise<void> {
    const server = this.server;
    const wasStarted = this.boundPort !== undefined;
    this.server = undefined;
    this.boundPort = undefined;
    this.suspended = false;
    // Closing first stops new connections at once; its callback waits for the dropped ones to end.
    const closed = server === undefined ? Promise.resolve() : closeServer(server);
    await this.dropAllConnections();
    await closed;
    if (wasStarted) this.logger.info({}, "gateway-sim stopped");
  }

  /** Client ids that completed START_API and are still connected, ascending. */
  connectedClientIds(): number[] {
    return this.registry.clientIds();
  }

  /** Calls `listener` whenever a client id connects or disconnects; returns the unsubscribe function. */
  onClientEvent(listener: (event: ClientRegistryEvent) => void): () => void {
    return this.registry.subscribe(listener);
  }

  private accept(socket: Socket): void {
    if (this.server === undefined) {
      socket.destroy();
      return;
    }
    const sessionId = this.nextSessionId++;
    this.logger.debug({ sessionId, remotePort: socket.remotePort }, "connection accepted");
    const session = new ClientSession({
      sessionId,
      socket,
      maxServerVersion: this.settings.maxServerVersion,
      accounts: this.settings.accounts,
      clock: this.clock,
      logger: this.logger,
      registry: this.registry,
      orderIds: this.orderIds,
      handlers: this.handlers,
      sessionStartListeners: this.sessionStartListeners,
      latencyMs: () => this.latencyMs,
      onClosed: (closed) => {
        this.sessions.delete(closed);
      },
    });
    this.sessions.add(session);
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

function resolveOptions(options: GatewaySimServerOptions): ResolvedOptions {
  const maxServerVersion = options.maxServerVersion ?? MAX_SUPPORTED_SERVER_VERSION;
  if (!isSupportedServerVersion(maxServerVersion)) {
    throw new ConfigError(
      `maxServerVersion ${maxServerVersion} is not supported; use ${MIN_SUPPORTED_SERVER_VERSION}..${MAX_SUPPORTED_SERVER_VERSION}`,
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`port ${port} is not a TCP port; use 0..65535 (0 = any free port)`);
  }
  const accounts = options.accounts ?? ["DU1234567"];
  if (accounts.length === 0) throw new ConfigError("accounts is empty; give at least one account id");
  for (const account of accounts) {
    if (account === "" || account.includes(",") || !isWireSafe(account)) {
      throw new ConfigError(`account id ${JSON.stringify(account)} must be non-empty ASCII without commas`);
    }
  }
  const firstOrderId = options.firstOrderId ?? 1;
  if (!Number.isInteger(firstOrderId) || firstOrderId < 0 || firstOrderId > INT32_MAX) {
    throw new ConfigError(`firstOrderId ${firstOrderId} must be an integer from 0 to ${INT32_MAX}`);
  }
  return { host: options.host ?? "127.0.0.1", port, maxServerVersion, accounts: [...accounts], firstOrderId };
}
