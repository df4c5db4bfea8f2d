import { connect, type Socket } from "node:net";
import { FrameReader } from "../../../src/gateway-sim/protocol/frame-reader.js";
import { encodeFrame } from "../../../src/gateway-sim/protocol/message-writer.js";
import { EVENT_TIMEOUT_MS, waitFor } from "./wait-for.js";

/**
 * A bare TCP client that speaks the wire protocol by hand, for what a real client library never sends:
 * odd hellos, malformed requests, garbage bytes.
 */
export class RawGatewayClient {
  /** Resolves once the server (or this client) has closed the connection. */
  readonly closed: Promise<void>;
  private readonly socket: Socket;
  private readonly frames = new FrameReader({ expectHello: false });
  private readonly received: (readonly string[])[] = [];
  private readonly waiters = new Set<() => void>();
  private isClosed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => {
      socket.on("close", () => {
        this.isClosed = true;
        for (const wake of [...this.waiters]) wake();
        resolve();
      });
    });
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      for (const frame of this.frames.push(chunk)) {
        if (frame.kind === "message") this.received.push(frame.fields);
      }
      for (const wake of [...this.waiters]) wake();
    });
  }

  /** Opens a connection to 127.0.0.1:`port`. */
  static connect(port: number): Promise<RawGatewayClient> {
    return waitFor(`a TCP connection to port ${port}`, (resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port }, () => {
        resolve(new RawGatewayClient(socket));
      });
      socket.once("error", reject);
      return () => socket.off("error", reject);
    });
  }

  /** Sends `API\0`, the 4-byte length and `text` (e.g. `v100..193`). */
  sendHello(text: string): void {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(Buffer.byteLength(text, "latin1"));
    this.sendBytes(Buffer.concat([Buffer.from("API\0", "latin1"), length, Buffer.from(text, "latin1")]));
  }

  /** Sends one well-framed message. */
  send(fields: readonly string[]): void {
    this.sendBytes(encodeFrame(fields));
  }

  /** Sends bytes as they are. */
  sendBytes(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next message from the server; fails if the connection closes first or nothing arrives in time. */
  nextMessage(description = "a message from the server"): Promise<readonly string[]> {
    return waitFor(
      description,
      (resolve, reject) => {
        const check = (): void => {
          const message = this.received.shift();
          if (message !== undefined) resolve(message);
          else if (this.isClosed) reject(new Error(`connection closed while waiting for ${description}`));
        };
        this.waiters.add(check);
        check();
        return () => this.waiters.delete(check);
      },
      EVENT_TIMEOUT_MS,
    );
  }

  /** The next `count` messages in order. */
  async nextMessages(count: number): Promise<(readonly string[])[]> {
    const messages: (readonly string[])[] = [];
    for (let i = 0; i < count; i++) messages.push(await this.nextMessage(`message ${i + 1} of ${count}`));
    return messages;
  }

  /** Messages received but not yet taken with nextMessage. */
  get unreadCount(): number {
    return this.received.length;
  }

  /** Hello, version reply, START_API for `clientId`: returns the version reply's fields. */
  async handshake(clientId: number | "", hello = "v100..193"): Promise<readonly string[]> {
    this.sendHello(hello);
    const reply = await this.nextMessage("the server version reply");
    this.send(["71", "2", String(clientId), ""]);
    return reply;
  }

  /** Closes the connection from this side. */
  close(): void {
    this.socket.destroy();
  }
}
