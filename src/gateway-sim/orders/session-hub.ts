import type { SessionContext } from "../server/request-handler.js";

/**
 * The connected sessions the order simulator knows, by client id, so that order events reach the client
 * that owns the order. A session becomes known when it starts (OrderSimulator.sessionStarted as a server
 * session start listener), or on its first order or account request when the server has no such hook, and
 * is forgotten when its connection closes.
 */
export class SessionHub {
  private readonly byClientId = new Map<number, SessionContext>();
  private readonly known = new Set<number>();

  /** Registers `session` unless it is known already; true when it was new. */
  attach(session: SessionContext): boolean {
    if (this.known.has(session.sessionId)) return false;
    this.known.add(session.sessionId);
    this.byClientId.set(session.clientId, session);
    session.onClose(() => {
      this.known.delete(session.sessionId);
      if (this.byClientId.get(session.clientId) === session) this.byClientId.delete(session.clientId);
    });
    return true;
  }

  /** The connected session of a client id, if the simulator knows one. */
  sessionOf(clientId: number): SessionContext | undefined {
    return this.byClientId.get(clientId);
  }

  /** Sends a frame built for the receiving session's server version to the session of `clientId`, if any. */
  sendTo(clientId: number, frame: (serverVersion: number) => Buffer): void {
    const session = this.byClientId.get(clientId);
    if (session !== undefined) session.send(frame(session.serverVersion));
  }
}
