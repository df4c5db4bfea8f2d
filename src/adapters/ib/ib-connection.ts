import { BehaviorSubject, Subject, type Observable } from "rxjs";
import { EventName, IBApi } from "@stoqey/ib";
import type { Logger } from "pino";
import { GatewayError } from "../../core/errors.js";
import type { Rng } from "../../core/rng.js";
import type { CancelTimer, Scheduler } from "../../core/scheduler.js";
import { maskAccountId } from "../../core/account-id.js";
import type { OutageClassifier, OutageSignal } from "../../data/daily-cycle.js";
import { classifyIbCode } from "./ib-error-codes.js";
import type { IbConnectionState, IbNotice, IbSession } from "./ib-connection-state.js";
import { createIbClient, type IbClient } from "./ib-library.js";
import { reconnectDelayMs } from "./reconnect-backoff.js";

/** Everything an IbConnection needs; times in milliseconds of the scheduler's clock. */
export interface IbConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** Fixed: orders are bound to it, so it never changes on reconnect (ibkr-facts.md §6.6). */
  readonly clientId: number;
  readonly connectTimeoutMs: number;
  readonly autoReconnect: boolean;
  /** Consecutive failed reconnects before giving up; 0 = never give up. */
  readonly maxReconnectAttempts: number;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly maxRequestsPerSecond: number;
  /** A reqCurrentTime is sent this long after the last message from the gateway. */
  readonly heartbeatIntervalMs: number;
  /** No answer within this long: the socket is a zombie and is dropped. */
  readonly heartbeatTimeoutMs: number;
  /** Connections refused with 326 (client id in use) retried with backoff before giving up. */
  readonly clientIdInUseRetries: number;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly logger: Logger;
  /**
   * Says which outages are expected (IB's nightly reset, the Gateway's restart): those are logged at info
   * with the reason instead of warn. Absent: every outage is an alarm.
   */
  readonly classifyOutage?: OutageClassifier | undefined;
}

/** Default heartbeat and clash settings for the daemon. */
export const CONNECTION_DEFAULTS = {
  heartbeatIntervalMs: 30_000,
  heartbeatTimeoutMs: 15_000,
  clientIdInUseRetries: 2,
} as const;

/** The first request id we hand out; IBApiNext numbers its own requests from 1, so the ranges never meet. */
const FIRST_REQUEST_ID = 1_000_000;

/**
 * Request ids stay at least this far above the session's next valid order id. IB addresses an error to a
 * request id or an order id alike, and a client id's order ids only grow (a long-used one passes a
 * million), so without the gap an order's rejection could be routed to a data request and the reverse.
 */
const ORDER_ID_HEADROOM = 1_000_000;

/** What went wrong with one connection attempt or session. */
type LossKind =
  "unreachable" | "client-id-in-use" | "timeout" | "lost" | "heartbeat" | "connectivity" | "fatal";

interface Attempt {
  readonly number: number;
  nextValidOrderId: number | undefined;
  accounts: readonly string[] | undefined;
  clash: boolean;
  fatal: GatewayError | undefined;
  cancelTimeout: CancelTimer | undefined;
  settled: boolean;
}

/**
 * The daemon's connection to TWS / IB Gateway over IBApiNext: explicit host, port and a fixed client id, a
 * connect timeout, a state stream, reconnect with capped exponential backoff and jitter after a lost socket,
 * IB's 1100 or an unanswered heartbeat, a bounded policy for client id clashes (326), and a gate: nothing
 * is ever sent unless the state is `ready` (the library would queue it and replay it on the next connection,
 * ibkr-facts.md §6.2).
 */
export class IbConnection {
  private readonly options: IbConnectionOptions;
  private readonly client: IbClient;
  private readonly stateSubject = new BehaviorSubject<IbConnectionState>({ status: "idle" });
  private readonly noticeSubject = new Subject<IbNotice>();
  private readonly requestErrorHandlers = new Map<number, (code: number, message: string) => void>();
  private readonly sessionEndHandlers = new Set<(reason: string) => void>();
  private attempt: Attempt | undefined;
  private session: IbSession | undefined;
  private generation = 0;
  private failedAttempts = 0;
  private clashes = 0;
  private nextRequestId = FIRST_REQUEST_ID;
  private stopped = false;
  private lastMessageMs = 0;
  private cancelReconnect: CancelTimer | undefined;
  private cancelHeartbeat: CancelTimer | undefined;
  private firstReady:
    { resolve: (session: IbSession) => void; reject: (error: GatewayError) => void } | undefined;
  private retryFirstConnect = true;
  /** True from connect() until the library reports the socket closed. */
  private socketOpen = false;
  private connectWhenClosed = false;

  constructor(options: IbConnectionOptions) {
    this.options = options;
    this.client = createIbClient({
      host: options.host,
      port: options.port,
      maxRequestsPerSecond: options.maxRequestsPerSecond,
      log: (level, tag, text) => {
        // The library's own chatter is debug; our events carry the facts at their proper level.
        options.logger.debug({ event: "ib.library", level, tag }, text);
      },
    });
    this.listen(this.client.raw);
  }

  /** The connection state, current value first. */
  get state$(): Observable<IbConnectionState> {
    return this.stateSubject.asObservable();
  }

  get state(): IbConnectionState {
    return this.stateSubject.getValue();
  }

  /** Every IB code the gateway sent, classified (connection notices and request errors alike). */
  get notices$(): Observable<IbNotice> {
    return this.noticeSubject.asObservable();
  }

  get where(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /**
   * Connects and resolves once the session is ready (NEXT_VALID_ID and MANAGED_ACCTS received). With
   * `retry` (the daemon) failures are retried with backoff like any reconnect; without it (the `check`
   * command) the first failure rejects with a GatewayError naming the fix.
   */
  start(options: { readonly retry: boolean } = { retry: true }): Promise<IbSession> {
    if (this.state.status !== "idle") {
      return Promise.reject(new GatewayError("GATEWAY_UNREACHABLE", "IbConnection.start called twice"));
    }
    this.retryFirstConnect = options.retry;
    const ready = new Promise<IbSession>((resolve, reject) => {
      this.firstReady = { resolve, reject };
    });
    this.connectNow();
    return ready;
  }

  /** Disconnects for good: no reconnect, every open request fails with GATEWAY_DISCONNECTED. */
  stop(reason = "stopped"): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelReconnect?.();
    this.cancelHeartbeat?.();
    this.attempt?.cancelTimeout?.();
    this.endSession(reason);
    this.closeSocket();
    this.setState({ status: "stopped", reason });
    this.firstReady?.reject(
      new GatewayError("GATEWAY_DISCONNECTED", `connection to ${this.where} ${reason}`),
    );
    this.firstReady = undefined;
    this.noticeSubject.complete();
  }

  /**
   * The ready session and the raw API to send on, or a GatewayError GATEWAY_DISCONNECTED: callers never
   * hand the library a request while we are not connected.
   */
  requireReady(): { readonly session: IbSession; readonly api: IBApi } {
    const state = this.state;
    if (state.status !== "ready") {
      throw new GatewayError(
        "GATEWAY_DISCONNECTED",
        `not connected to ${this.where} (state ${state.status}); the request was not sent`,
      );
    }
    return { session: state.session, api: this.client.raw };
  }

  /** The raw API for registering event listeners (sending goes through requireReady). */
  get events(): IBApi {
    return this.client.raw;
  }

  /** A request id no other request of this process uses. */
  allocateRequestId(): number {
    return this.nextRequestId++;
  }

  /** Routes IB errors addressed to `reqId` to `handler` until the returned function is called. */
  onRequestError(reqId: number, handler: (code: number, message: string) => void): () => void {
    this.requestErrorHandlers.set(reqId, handler);
    return () => {
      this.requestErrorHandlers.delete(reqId);
    };
  }

  /**
   * Calls `callback` once every request handed to the library so far has been written to the socket (the
   * send queue holds them back to the message rate); never if the session ends first, as they are dropped.
   */
  afterSent(callback: () => void): void {
    const generation = this.generation;
    this.client.afterEncoded(() => {
      // A session that ended meanwhile took the request with it (the queue was cleared).
      if (this.generation === generation && this.session !== undefined) {
        this.client.sendQueue.afterWritten(callback);
      }
    });
  }

  /** Messages waiting in the send queue for the message rate. */
  get sendQueueDepth(): number {
    return this.client.sendQueue.depth;
  }

  /** Calls `handler` whenever a ready session ends (lost, dropped or stopped). */
  onSessionEnd(handler: (reason: string) => void): () => void {
    this.sessionEndHandlers.add(handler);
    return () => {
      this.sessionEndHandlers.delete(handler);
    };
  }

  /** Drops the socket and reconnects (a stalled feed, a zombie socket). */
  recycle(reason: string): void {
    if (this.state.status !== "ready") return;
    this.lose("lost", reason);
  }

  private listen(api: IBApi): void {
    api.on(EventName.received, () => {
      this.lastMessageMs = this.options.scheduler.nowMs();
    });
    api.on(EventName.nextValidId, (orderId: number) => {
      const attempt = this.attempt;
      if (attempt === undefined || attempt.settled) return;
      attempt.nextValidOrderId = orderId;
      this.maybeReady(attempt);
    });
    api.on(EventName.managedAccounts, (accountsList: string) => {
      const attempt = this.attempt;
      if (attempt === undefined || attempt.settled) return;
      attempt.accounts = accountsList
        .split(",")
        .map((account) => account.trim())
        .filter((account) => account !== "");
      this.maybeReady(attempt);
    });
    api.on(EventName.disconnected, () => {
      this.socketOpen = false;
      this.onSocketClosed();
      if (this.connectWhenClosed) {
        this.connectWhenClosed = false;
        this.connectNow();
      }
    });
    api.on(EventName.info, (message: string, code: number) => {
      this.onCode(code, message, -1);
    });
    api.on(EventName.error, (error: Error, code: number, reqId: number) => {
      this.onCode(code, error.message, reqId);
    });
  }

  private onCode(code: number, message: string, reqId: number): void {
    const action = classifyIbCode(code, message);
    const notice: IbNotice = { code, message, reqId, action };
    const expected = this.expectedOutage({ kind: "ibCode", code });
    const fields = { event: "ib.code", code, reqId, action };
    // An expected outage code is never logged louder than before: 2157 (action info) stays at debug.
    if (action === "info") {
      this.options.logger.debug(expected === undefined ? fields : { ...fields, expected }, message);
    } else {
      this.logOutage(fields, message, expected);
    }
    if (reqId >= 0) {
      this.requestErrorHandlers.get(reqId)?.(code, message);
    } else {
      this.onConnectionCode(code, message);
    }
    this.noticeSubject.next(notice);
  }

  private onConnectionCode(code: number, message: string): void {
    const attempt = this.attempt;
    switch (code) {
      case 326:
        if (attempt !== undefined && !attempt.settled) attempt.clash = true;
        break;
      case 502:
        if (attempt !== undefined && !attempt.settled) this.failAttempt(attempt, "unreachable", message);
        break;
      case 1300:
        this.lose("fatal", message);
        break;
      case 1100:
      case 2110:
        // IBApiNext drops the socket on these itself (§6.5); we reconnect with backoff from onSocketClosed.
        if (this.state.status === "ready") this.lose("connectivity", message);
        break;
      default:
        break;
    }
  }

  private connectNow(): void {
    if (this.stopped) return;
    if (this.socketOpen) {
      // The old socket's close event would land on the new one in the library (its listeners stay
      // attached and reset the shared status): connect only once it has fired.
      this.connectWhenClosed = true;
      this.closeSocket();
      return;
    }
    // Nothing queued before this connection may reach it (endSession normally emptied the queue already).
    this.client.sendQueue.clear();
    const attempt: Attempt = {
      number: this.failedAttempts + 1,
      nextValidOrderId: undefined,
      accounts: undefined,
      clash: false,
      fatal: undefined,
      cancelTimeout: undefined,
      settled: false,
    };
    this.attempt = attempt;
    this.setState({ status: "connecting", attempt: attempt.number });
    this.options.logger.info(
      {
        event: "connection.connecting",
        host: this.options.host,
        port: this.options.port,
        clientId: this.options.clientId,
        attempt: attempt.number,
      },
      "connecting to gateway",
    );
    attempt.cancelTimeout = this.options.scheduler.setTimer(this.options.connectTimeoutMs, () => {
      this.failAttempt(attempt, "timeout", `no NEXT_VALID_ID within ${this.options.connectTimeoutMs} ms`);
    });
    try {
      this.socketOpen = true;
      this.client.next.connect(this.options.clientId);
    } catch (error) {
      this.failAttempt(attempt, "unreachable", error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * Closes the socket whatever the library believes: IBApiNext's disconnect() only closes a socket that
   * finished its handshake, and a later connect() on a socket still "connecting" is silently ignored.
   */
  private closeSocket(): void {
    if (this.socketOpen) IBApi.prototype.disconnect.call(this.client.raw);
    this.client.next.disconnect();
  }

  private maybeReady(attempt: Attempt): void {
    if (attempt.nextValidOrderId === undefined || attempt.accounts === undefined || attempt.settled) return;
    attempt.settled = true;
    attempt.cancelTimeout?.();
    this.failedAttempts = 0;
    this.clashes = 0;
    this.generation += 1;
    const session: IbSession = Object.freeze({
      host: this.options.host,
      port: this.options.port,
      clientId: this.options.clientId,
      serverVersion: this.client.raw.serverVersion,
      accounts: Object.freeze([...attempt.accounts]),
      nextValidOrderId: attempt.nextValidOrderId,
      generation: this.generation,
      connectedAtMs: this.options.scheduler.nowMs(),
    });
    this.session = session;
    this.nextRequestId = Math.max(this.nextRequestId, session.nextValidOrderId + ORDER_ID_HEADROOM);
    this.lastMessageMs = this.options.scheduler.nowMs();
    this.setState({ status: "ready", session });
    this.options.logger.info(
      {
        event: "connection.ready",
        host: session.host,
        port: session.port,
        clientId: session.clientId,
        serverVersion: session.serverVersion,
        accounts: session.accounts.map(maskAccountId),
        generation: session.generation,
      },
      "connected to gateway",
    );
    this.armHeartbeat();
    this.firstReady?.resolve(session);
    this.firstReady = undefined;
  }

  private onSocketClosed(): void {
    if (this.stopped) return;
    const attempt = this.attempt;
    if (attempt !== undefined && !attempt.settled) {
      if (attempt.clash) {
        this.failAttempt(attempt, "client-id-in-use", "client id in use (326)");
      } else {
        this.failAttempt(attempt, "unreachable", "the gateway closed the socket during the handshake");
      }
      return;
    }
    if (this.state.status === "ready") this.lose("lost", "the gateway closed the socket");
  }

  private failAttempt(attempt: Attempt, kind: LossKind, detail: string): void {
    if (attempt.settled || this.stopped) return;
    attempt.settled = true;
    attempt.cancelTimeout?.();
    this.closeSocket();
    this.failedAttempts += 1;
    if (kind === "client-id-in-use") this.clashes += 1;
    const error = this.describeFailure(kind, detail);
    this.logOutage(
      { event: "connection.failed", code: error.code, attempt: attempt.number, detail },
      error.message,
      this.expectedLoss(kind),
    );
    const firstConnect = this.generation === 0;
    const retry = firstConnect ? this.retryFirstConnect : this.options.autoReconnect;
    const clashExhausted = kind === "client-id-in-use" && this.clashes > this.options.clientIdInUseRetries;
    const attemptsExhausted =
      this.options.maxReconnectAttempts > 0 && this.failedAttempts > this.options.maxReconnectAttempts;
    if (!retry || clashExhausted || attemptsExhausted || kind === "fatal") {
      this.giveUp(error);
      return;
    }
    this.scheduleReconnect(error.message);
  }

  private lose(kind: LossKind, detail: string): void {
    if (this.state.status !== "ready") return;
    this.cancelHeartbeat?.();
    const reason = `${kind}: ${detail}`;
    this.logOutage(
      { event: "connection.lost", kind, detail },
      "gateway connection lost",
      this.expectedLoss(kind),
    );
    this.endSession(reason);
    this.attempt = undefined;
    this.closeSocket();
    if (kind === "fatal") {
      this.giveUp(this.describeFailure("fatal", detail));
      return;
    }
    if (!this.options.autoReconnect) {
      this.giveUp(
        new GatewayError(
          "GATEWAY_DISCONNECTED",
          `connection to ${this.where} lost (${detail}); IBKR_AUTO_RECONNECT is off`,
        ),
      );
      return;
    }
    this.scheduleReconnect(reason);
  }

  private endSession(reason: string): void {
    if (this.session === undefined) return;
    this.session = undefined;
    // Requests still queued belong to the ended session: written on the next one they would open
    // subscriptions there that nothing routes or cancels (ibkr-facts.md §6.18). Their owners hear sessionEnded.
    const dropped = this.client.sendQueue.clear();
    if (dropped > 0) {
      this.options.logger.info(
        { event: "ib.send_queue.dropped", messages: dropped, reason },
        "messages of the ended session dropped unsent",
      );
    }
    for (const handler of [...this.sessionEndHandlers]) handler(reason);
  }

  private scheduleReconnect(reason: string): void {
    const attempt = this.failedAttempts + 1;
    const delayMs = reconnectDelayMs(
      Math.max(1, this.failedAttempts),
      { initialDelayMs: this.options.reconnectDelayMs, maxDelayMs: this.options.maxReconnectDelayMs },
      this.options.rng,
    );
    this.setState({ status: "waiting-to-reconnect", attempt, delayMs, reason });
    this.options.logger.info(
      { event: "connection.reconnect_scheduled", attempt, delayMs },
      "reconnecting after delay",
    );
    this.cancelReconnect = this.options.scheduler.setTimer(delayMs, () => {
      this.cancelReconnect = undefined;
      this.connectNow();
    });
  }

  private giveUp(error: GatewayError): void {
    this.stopped = true;
    this.cancelReconnect?.();
    this.cancelHeartbeat?.();
    this.closeSocket();
    this.setState({ status: "stopped", reason: error.message, error });
    this.options.logger.error({ event: "connection.stopped", code: error.code }, error.message);
    this.firstReady?.reject(error);
    this.firstReady = undefined;
  }

  private describeFailure(kind: LossKind, detail: string): GatewayError {
    const where = this.where;
    switch (kind) {
      case "unreachable":
        return new GatewayError(
          "GATEWAY_UNREACHABLE",
          `TWS not listening on ${where}: enable the API in TWS settings (Configure > API > Settings > Enable ActiveX and Socket Clients), check the port and that 127.0.0.1 is a trusted IP (${detail})`,
          { ibCode: 502 },
        );
      case "client-id-in-use":
        return new GatewayError(
          "CLIENT_ID_IN_USE",
          `client id ${this.options.clientId} is already in use on ${where} (IB 326): stop the other API client using it, or set IBKR_CLIENT_ID to a free id`,
          { ibCode: 326 },
        );
      case "timeout":
        return new GatewayError(
          "GATEWAY_TIMEOUT",
          `${where} accepted the connection but the API handshake did not finish (${detail}): check that TWS is logged in and not showing a dialog, or raise IBKR_CONNECT_TIMEOUT`,
        );
      case "fatal":
        return new GatewayError(
          "GATEWAY_UNREACHABLE",
          `${where} dropped the API connection for good (${detail}): check the TWS API port setting and IBKR_PORT`,
          { ibCode: 1300 },
        );
      default:
        return new GatewayError("GATEWAY_DISCONNECTED", `connection to ${where} lost: ${detail}`);
    }
  }

  /**
   * Heartbeat: when the gateway has been silent for heartbeatIntervalMs, ask it the time; if it stays
   * silent for heartbeatTimeoutMs more, the socket is a zombie (half open) — drop it and reconnect.
   */
  private armHeartbeat(): void {
    const { scheduler, heartbeatIntervalMs, heartbeatTimeoutMs } = this.options;
    const generation = this.generation;
    const check = (): void => {
      if (this.state.status !== "ready" || this.generation !== generation) return;
      const silentMs = scheduler.nowMs() - this.lastMessageMs;
      if (silentMs < heartbeatIntervalMs) {
        this.cancelHeartbeat = scheduler.setTimer(heartbeatIntervalMs - silentMs, check);
        return;
      }
      const askedAtMs = scheduler.nowMs();
      this.client.raw.reqCurrentTime();
      this.cancelHeartbeat = scheduler.setTimer(heartbeatTimeoutMs, () => {
        if (this.state.status !== "ready" || this.generation !== generation) return;
        if (this.lastMessageMs >= askedAtMs) {
          check();
          return;
        }
        this.options.logger.warn(
          { event: "connection.heartbeat_missed", silentMs: scheduler.nowMs() - this.lastMessageMs },
          "gateway did not answer the heartbeat; dropping the socket",
        );
        this.lose("heartbeat", `no answer to reqCurrentTime within ${heartbeatTimeoutMs} ms`);
      });
    };
    this.cancelHeartbeat = scheduler.setTimer(heartbeatIntervalMs, check);
  }

  /** Why `signal` is expected now (IB's daily cycle), or undefined when it is an alarm or no outage. */
  private expectedOutage(signal: OutageSignal): string | undefined {
    const classification = this.options.classifyOutage?.(signal, this.options.scheduler.nowMs());
    return classification?.level === "info" ? classification.reason : undefined;
  }

  /**
   * Why a lost socket or a failed attempt is expected now; never for a client id clash (another client holds
   * our id) or a fatal loss (1300, a changed port): no reset or restart explains those.
   */
  private expectedLoss(kind: LossKind): string | undefined {
    if (kind === "client-id-in-use" || kind === "fatal") return undefined;
    return this.expectedOutage({ kind: "disconnected" });
  }

  /** An alarm at warn, or, when the daily cycle explains it, info with the reason in `expected`. */
  private logOutage(fields: Record<string, unknown>, message: string, expected: string | undefined): void {
    if (expected === undefined) this.options.logger.warn(fields, message);
    else this.options.logger.info({ ...fields, expected }, message);
  }

  private setState(state: IbConnectionState): void {
    this.stateSubject.next(state);
  }
}
