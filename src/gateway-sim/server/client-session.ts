import type { Socket } from "node:net";
import type { Clock } from "../../core/clock.js";
import { formatConnectionTime } from "../protocol/connection-time.js";
import { FieldReader } from "../protocol/field-reader.js";
import { FrameReader, type Frame } from "../protocol/frame-reader.js";
import type { ClientHello } from "../protocol/client-hello.js";
import { OutgoingMessageId, outgoingMessageName } from "../protocol/message-ids.js";
import { ProtocolError } from "../protocol/protocol-error.js";
import {
  encodeErrorMessage,
  encodeManagedAccounts,
  encodeNextValidId,
  encodeServerVersionReply,
  type TwsErrorMessage,
} from "../protocol/server-messages.js";
import { negotiateServerVersion } from "../protocol/server-versions.js";
import type { ClientRegistry } from "./client-registry.js";
import type { GatewaySimLogger } from "./gateway-sim-logger.js";
import { MessageRateLimiter, messageRateExceeded } from "./message-rate-limiter.js";
import type { OrderIdBook } from "./order-id-book.js";
import { LatencyQueue } from "./latency-queue.js";
import type { RequestHandlerTable, SessionContext, SessionStartListener } from "./request-handler.js";
import {
  CLIENT_ID_IN_USE,
  errorProcessingRequest,
  errorReadingRequest,
  FARM_STATUS_OK,
} from "./session-notices.js";

/** Everything one session needs from the server that accepted its socket. */
export interface ClientSessionOptions {
  readonly sessionId: number;
  readonly socket: Socket;
  readonly maxServerVersion: number;
  readonly accounts: readonly string[];
  readonly clock: Clock;
  readonly logger: GatewaySimLogger;
  readonly registry: ClientRegistry;
  readonly orderIds: OrderIdBook;
  readonly handlers: RequestHandlerTable;
  /** Told about the session after its start-up messages; one that throws is logged and skipped. */
  readonly sessionStartListeners?: readonly SessionStartListener[];
  /** Wall milliseconds every outgoing message is held back (read at each write); default none. */
  readonly latencyMs?: () => number;
  /** Called once after the socket has closed. */
  readonly onClosed: (session: ClientSession) => void;
}

/** How long a refused client may take to read its last message and close before the socket is dropped. */
const CLOSE_GRACE_MS = 10_000;

type SessionState = "awaiting-hello" | "awaiting-start-api" | "ready" | "closing" | "closed";

/**
 * One client connection: reads the hello, negotiates the server version, waits for START_API, claims the
 * client id, sends the start-up messages, tells the session start listeners, then dispatches each request
 * to the handler table. Every outgoing message passes one FIFO that can hold it back by an injected
 * latency. Nothing a client sends can make it throw out of a socket callback.
 */
export class ClientSession {
  private readonly options: ClientSessionOptions;
  private readonly frames = new FrameReader();
  private readonly cleanups: (() => void)[] = [];
  private state: SessionState = "awaiting-hello";
  private serverVersion = 0;
  private registeredClientId: number | undefined;
  private context: SessionContext | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private readonly messageRate = new MessageRateLimiter();
  private readonly outbound: LatencyQueue;
  private corked = false;
  private resolveClosed: () => void = () => undefined;

  /** Resolves once the socket has closed and the client id (if any) has been given back. */
  readonly closed: Promise<void>;

  constructor(options: ClientSessionOptions) {
    this.options = options;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    const { socket } = options;
    this.outbound = new LatencyQueue((frame) => {
      this.writeNow(frame);
    });
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.guard("data", () => {
        this.onData(chunk);
      });
    });
    socket.on("error", (error: Error) => {
      this.log("debug", { error: error.message }, "socket error");
    });
    socket.on("close", () => {
      this.guard("close", () => {
        this.onSocketClosed();
      });
    });
  }

  /** The client id claimed at START_API, or undefined before that or after a refusal. */
  get clientId(): number | undefined {
    return this.registeredClientId;
  }

  /**
   * Sends a connection notice (an ERR_MSG such as 1100 or 2103) if the session is ready; returns whether
   * it did.
   */
  sendNotice(notice: TwsErrorMessage): boolean {
    if (this.state !== "ready") return false;
    this.sendError(notice);
    return true;
  }

  /** Drops the connection at once (server shutdown, injected faults); held-back messages are lost. */
  destroy(): void {
    this.outbound.clear();
    this.options.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.isEnding()) return;
    let frames: Frame[];
    try {
      frames = this.frames.push(chunk);
    } catch (error: unknown) {
      if (!(error instanceof ProtocolError)) throw error;
      // The stream cannot be resynchronised, so the client is dropped. Malformed single requests, in
      // contrast, get 320 and the connection stays up, as with TWS's "Maintain connection upon receiving
      // incorrectly formatted fields" (ibkr-facts.md §5.4).
      this.log(
        "warn",
        { reason: error.reason, error: error.message },
        "closing connection: unreadable stream",
      );
      this.close();
      return;
    }
    for (const frame of frames) {
      if (this.isEnding()) return;
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Frame): void {
    switch (frame.kind) {
      case "hello":
        this.onHello(frame.hello);
        return;
      case "invalid":
        this.log("warn", { reason: frame.reason, fields: frame.fields }, "malformed frame");
        if (this.state === "ready") this.sendError(errorReadingRequest(undefined, frame.reason));
        return;
      case "message":
        if (this.state === "awaiting-start-api") this.onMessageBeforeStart(frame.fields);
        else if (this.admitByMessageRate(frame.fields)) this.dispatch(frame.fields);
        return;
    }
  }

  private onHello(hello: ClientHello): void {
    const version = negotiateServerVersion(hello, this.options.maxServerVersion);
    if (version === undefined) {
      this.log(
        "warn",
        { ...hello, maxServerVersion: this.options.maxServerVersion },
        "refusing client: no common server version",
      );
      this.close();
      return;
    }
    this.serverVersion = version;
    this.state = "awaiting-start-api";
    this.log("debug", { ...hello, serverVersion: version }, "hello accepted");
    // Nothing else may follow until START_API: Python ibapi drops extra early bytes (ibkr-facts.md §1.3).
    this.write(encodeServerVersionReply(version, formatConnectionTime(this.options.clock.nowMs())));
  }

  private onMessageBeforeStart(fields: readonly string[]): void {
    if (fields[0] !== String(OutgoingMessageId.START_API)) {
      // The facts do not say what TWS does with a request before START_API; ignore it.
      this.log("warn", { messageId: fields[0] }, "ignoring a request sent before START_API");
      return;
    }
    const request = new FieldReader(fields);
    let clientId: number;
    try {
      request.readInt(); // message id
      request.readInt(); // version
      clientId = request.readInt(); // "" (no client id given) reads as 0
      if (request.remaining > 0) request.readString(); // optionalCapabilities
    } catch (error: unknown) {
      if (!(error instanceof ProtocolError)) throw error;
      this.log("warn", { error: error.message, fields }, "closing connection: malformed START_API");
      this.close(
        encodeErrorMessage(
          this.serverVersion,
          errorReadingRequest(OutgoingMessageId.START_API, error.message),
        ),
      );
      return;
    }
    this.startApi(clientId);
  }

  private startApi(clientId: number): void {
    const { registry, orderIds, accounts } = this.options;
    const outcome = registry.register(clientId, this);
    if (outcome === "client-id-in-use") {
      this.log("warn", { clientId }, "refusing client: client id already in use (326)");
      this.close(encodeErrorMessage(this.serverVersion, CLIENT_ID_IN_USE));
      return;
    }
    if (outcome === "too-many-clients") {
      // The 32-client limit is documented but TWS's answer is not (ibkr-facts.md §1.5, §4): just close.
      this.log("warn", { clientId }, "refusing client: too many clients connected");
      this.close();
      return;
    }
    this.registeredClientId = clientId;
    const context = this.createContext(clientId);
    this.context = context;
    this.state = "ready";
    const { remoteAddress, remotePort } = this.options.socket;
    this.log(
      "info",
      { clientId, serverVersion: this.serverVersion, remoteAddress, remotePort },
      "client connected",
    );
    // Order seen from real TWS: accounts, next id, then the farm status (ibkr-facts.md §1.5).
    this.write(encodeManagedAccounts(this.serverVersion, accounts));
    this.write(encodeNextValidId(this.serverVersion, orderIds.nextValidId(clientId)));
    for (const status of FARM_STATUS_OK) this.sendError(status);
    for (const listener of this.options.sessionStartListeners ?? []) {
      this.guard("session start listener", () => {
        listener(context);
      });
    }
  }

  private dispatch(fields: readonly string[]): void {
    const context = this.context;
    if (context === undefined) return;
    const request = new FieldReader(fields);
    let messageId: number | undefined;
    try {
      messageId = request.readInt();
      if (messageId === OutgoingMessageId.START_API) {
        this.log("warn", { fields }, "ignoring a repeated START_API");
        return;
      }
      const handler = this.options.handlers.get(messageId);
      if (handler === undefined) {
        // The facts list no TWS answer to an unknown or unsupported request id (ibkr-facts.md §4), so the
        // request is logged and ignored.
        const name = outgoingMessageName(messageId);
        const message =
          name === undefined ? "ignoring unknown request" : "ignoring request not supported yet";
        this.log("warn", { messageId, name }, message);
        return;
      }
      this.log("debug", { messageId, name: outgoingMessageName(messageId) }, "request");
      handler(request, context);
    } catch (error: unknown) {
      const detail = error instanceof Error ? error.message : String(error);
      if (error instanceof ProtocolError) {
        this.log("warn", { messageId, fields, error: detail }, "malformed request");
        this.sendError(errorReadingRequest(messageId, detail));
        return;
      }
      this.log("warn", { messageId, fields, error: detail }, "request handler failed");
      this.sendError(errorProcessingRequest(messageId, detail));
    }
  }

  /**
   * The client→server message cap (ibkr-facts.md §3.2): a message over 50 in a second is rejected, a breach
   * is answered with error 100, and the third breach closes the connection. Counted in wall time, which is
   * what the cap protects; @stoqey/ib's own limiter (40/s) keeps real clients under it.
   */
  private admitByMessageRate(fields: readonly string[]): boolean {
    const verdict = this.messageRate.record(performance.now());
    if (verdict.accepted) return true;
    const { violation } = verdict;
    if (violation === undefined) {
      this.log("debug", { messageId: fields[0] }, "message over the rate limit rejected");
      return false;
    }
    this.log("warn", { messageId: fields[0], ...violation }, "client exceeded the message rate (100)");
    const error = encodeErrorMessage(this.serverVersion, messageRateExceeded(violation));
    if (violation.disconnect) this.close(error);
    else this.write(error);
    return false;
  }

  private createContext(clientId: number): SessionContext {
    const { sessionId, accounts, clock, logger, orderIds } = this.options;
    return {
      sessionId,
      clientId,
      serverVersion: this.serverVersion,
      accounts,
      clock,
      logger,
      send: (frame) => {
        this.write(frame);
      },
      sendError: (error) => {
        this.sendError(error);
      },
      nextValidOrderId: () => orderIds.nextValidId(clientId),
      onClose: (cleanup) => {
        this.cleanups.push(cleanup);
      },
    };
  }

  private sendError(error: TwsErrorMessage): void {
    this.write(encodeErrorMessage(this.serverVersion, error));
  }

  /**
   * Writes to the socket, corked until the end of the current tick: a stream step that sends to many
   * subscriptions then leaves in one writev instead of a system call per message (the send path was
   * ~44 % of the simulator's CPU in bench/gateway-sim before). Order is unchanged.
   */
  private writeNow(frame: Buffer): void {
    const { socket } = this.options;
    if (this.isEnding() || !socket.writable) return;
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(frame);
  }

  /** Queues `frame` behind the injected latency (written at once when there is none). */
  private write(frame: Buffer): void {
    if (this.isEnding() || !this.options.socket.writable) return;
    this.outbound.push(frame, this.options.latencyMs?.() ?? 0);
  }

  /**
   * Ends the connection. With `lastFrame`, ends gracefully (FIN after the frame) so that the client reads
   * it before the close, and drops the socket only if the client has not closed within CLOSE_GRACE_MS;
   * an abrupt close could reset the connection and lose the frame.
   */
  private close(lastFrame?: Buffer): void {
    if (this.isEnding()) return;
    const { socket } = this.options;
    if (lastFrame === undefined || !socket.writable) {
      this.state = "closing";
      this.outbound.clear();
      socket.destroy();
      return;
    }
    // Messages held back by an injected latency go out now, in order, ahead of the last one.
    this.outbound.flush();
    this.state = "closing";
    socket.end(lastFrame);
    this.closeTimer = setTimeout(() => {
      socket.destroy();
    }, CLOSE_GRACE_MS);
    this.closeTimer.unref();
  }

  /** Whether the connection is being or has been closed; a method so that TS does not narrow `state`. */
  private isEnding(): boolean {
    return this.state === "closing" || this.state === "closed";
  }

  private onSocketClosed(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    clearTimeout(this.closeTimer);
    this.outbound.clear();
    try {
      const clientId = this.registeredClientId;
      if (clientId !== undefined) {
        this.options.registry.release(clientId, this);
        this.log("info", { clientId }, "client disconnected");
      }
      for (const cleanup of this.cleanups.splice(0)) this.guard("cleanup", cleanup);
      this.options.onClosed(this);
    } finally {
      this.resolveClosed();
    }
  }

  /** Runs socket-callback work so that no exception ever escapes into the event loop. */
  private guard(where: string, work: () => void): void {
    try {
      work();
    } catch (error: unknown) {
      const detail = error instanceof Error ? error.message : String(error);
      this.log("warn", { where, error: detail }, "unexpected error in session; continuing");
    }
  }

  private log(level: "info" | "warn" | "debug", fields: Record<string, unknown>, message: string): void {
    const context = { sessionId: this.options.sessionId, clientId: this.registeredClientId, ...fields };
    this.options.logger[level](context, message);
  }
}
