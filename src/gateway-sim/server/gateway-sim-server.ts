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
import type { RequestHandlerTable } from "./request-handler.js";

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
  /** First NEXT_VALID_ID of every client id; default 1. */
  readonly firstOrderId?: number;
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
  private server: Server | undefined;
  private nextSessionId = 1;

  constructor(options: GatewaySimServerOptions) {
    this.settings = resolveOptions(options);
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    this.orderIds = new OrderIdBook(this.settings.firstOrderId);
    this.handlers = new Map([...createConnectionRequestHandlers(), ...(options.requestHandlers ?? [])]);
  }

  /** Starts listening; resolves with the bound port once clients can connect. */
  async start(): Promise<{ port: number }> {
    if (this.server !== undefined) throw new InvariantError("gateway-sim server is already started");
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
      server.listen(this.settings.port, this.settings.host, () => {
        server.off("error", onError);
        server.on("error", (error: Error) => {
          this.logger.warn({ error: error.message }, "gateway-sim server error");
        });
        const address = server.address();
        const port = typeof address === "object" && address !== null ? address.port : this.settings.port;
        this.logger.info(
          { host: this.settings.host, port, maxServerVersion: this.settings.maxServerVersion },
          "gateway-sim listening",
        );
        resolve({ port });
      });
    });
  }

  /** Stops accepting clients, drops every connection and resolves once all are closed and the port is free. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const sessions = [...this.sessions];
    for (const session of sessions) session.destroy();
    await Promise.all(sessions.map((session) => session.closed));
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    this.logger.info({}, "gateway-sim stopped");
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
      onClosed: (closed) => {
        this.sessions.delete(closed);
      },
    });
    this.sessions.add(session);
  }
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
